"""Django settings, read from the environment.

SHNOR_DATA_DIR   where the SQLite file, uploads and generated files live (default: ./data)
DATABASE_URL     sqlite:///path or postgres://user:pass@host/db (default: SQLite in SHNOR_DATA_DIR)
SHNOR_SECRET_KEY secret key (default: generated once and kept in SHNOR_DATA_DIR/secret_key)
SHNOR_DEBUG      1/0, default 0; 1 is a developer's choice (tracebacks in the browser)
SHNOR_ALLOWED_HOSTS comma-separated host names (default: local addresses only)
SHNOR_HTTPS      1 when served over HTTPS: secure cookies, HSTS, redirect to https
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0/true/false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name} must not be negative, got {raw!r}")
    return value


DATA_DIR = Path(os.environ.get("SHNOR_DATA_DIR", Path.cwd() / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite cannot create its file's folder
DEBUG = env_bool("SHNOR_DEBUG", False)


def stored_secret_key(folder: Path) -> str:
    """The instance's own key, generated on first start and kept readable by its owner only, so
    sessions survive restarts and no two installations share a key."""
    path = folder / "secret_key"
    if not path.exists():
        # written whole under a private name, then linked into place: the web process and the
        # worker start together, and neither may read a half-written key
        draft = folder / f".secret_key.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, path)
        except FileExistsError:  # the other process was first: use its key
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path}: the stored secret key is too short; delete the file")
    return key


SECRET_KEY = os.environ.get("SHNOR_SECRET_KEY") or stored_secret_key(DATA_DIR)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SHNOR_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "shnor.core",
    "shnor.accounts",
    "shnor.registry",
    "shnor.assessments",
    "shnor.taskresults",
    "shnor.identification",
    "shnor.risks",
    "shnor.indicators",
    "shnor.staff",
    "shnor.support",
    "shnor.students",
    "shnor.events",
    "shnor.campaigns",
    "shnor.reports",
    "shnor.overview",
    "shnor.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the vendored static files straight from the apps (no collectstatic needed), so the
    # app works the same under `shnor serve` whatever SHNOR_DEBUG says.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shnor.core.params.RejectControlCharacters",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shnor.core.security.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "shnor.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shnor.overview.navigation.navigation",
            ]
        },
    }
]
WSGI_APPLICATION = "shnor.wsgi.application"


def database_config() -> dj_database_url.DBConfig:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'shnor.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the worker write while the web process reads; the timeout rides out
        # the short write locks of bulk imports instead of failing with "database is locked".
        # A table with triggers (core/snapshots.py) makes every INSERT keep a statement
        # journal, a temporary file unless temp_store is memory: 22 µs a row instead of 5.
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
            ),
        }
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if env_bool("SHNOR_FAST_HASHER", False)
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
# Wrong passwords: after LOGIN_FAILURE_LIMIT failures for one user name (or
# LOGIN_ADDRESS_FAILURE_LIMIT from one address: an office shares one) within
# LOGIN_FAILURE_WINDOW seconds further attempts are refused until the window has passed.
LOGIN_FAILURE_LIMIT = 5
LOGIN_ADDRESS_FAILURE_LIMIT = 20
LOGIN_FAILURE_WINDOW = 15 * 60

# A working day; closing the browser ends the session (shared office computers).
SESSION_COOKIE_AGE = 10 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True  # pages carry the token in the markup; no script reads the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env_bool("SHNOR_HTTPS", False)
if HTTPS:
    # TLS ends at the reverse proxy in front of gunicorn; the proxy says so in this header
    # (and must overwrite any value the client sent).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LANGUAGE_CODE = "ru"
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest accepted upload per kind, in megabytes (core/uploads.py), and how many days an import
# file outlives its job (0: deleted when the job ends; they may hold teachers' personal data).
MAX_IMPORT_MB = env_int("SHNOR_MAX_IMPORT_MB", 50)
MAX_EVIDENCE_MB = env_int("SHNOR_MAX_EVIDENCE_MB", 20)
KEEP_UPLOADS_DAYS = env_int("SHNOR_KEEP_UPLOADS_DAYS", 0)
# Limits of reading a table file (core/tabular.py), checked before a sheet is loaded, so that no
# file can exhaust the process: the file itself is held to SHNOR_MAX_IMPORT_MB; a sheet's used
# range to these rows and columns, the whole workbook to IMPORT_MAX_CELLS cells of that range
# (about 100 bytes of memory each when read), the unpacked XML of an XLSX/ODS to
# IMPORT_MAX_UNPACKED_MB, and a CSV line to IMPORT_MAX_LINE_CHARS characters.
IMPORT_MAX_ROWS = env_int("SHNOR_IMPORT_MAX_ROWS", 1_000_000)
IMPORT_MAX_COLUMNS = env_int("SHNOR_IMPORT_MAX_COLUMNS", 200)
IMPORT_MAX_CELLS = env_int("SHNOR_IMPORT_MAX_CELLS", 10_000_000)
IMPORT_MAX_UNPACKED_MB = env_int("SHNOR_IMPORT_MAX_UNPACKED_MB", 400)
IMPORT_MAX_LINE_CHARS = env_int("SHNOR_IMPORT_MAX_LINE_CHARS", 100_000)

# Derived values (core/derived.py) keyed on the data's change stamps, shared by every server
# process and the worker; a stale entry is never read (its key names an old stamp), so entries
# only expire to free the disk.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "derived": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": DATA_DIR / "cache",
        "TIMEOUT": 7 * 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

# The methodology whose latest run is «the list» on overviews and school lists.
PRIMARY_METHODOLOGY = os.environ.get("SHNOR_PRIMARY_METHODOLOGY", "federal")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Django logs server errors to the console only with DEBUG on; with it off (the default)
    # their tracebacks would go nowhere
    "loggers": {
        "shnor": {"handlers": ["console"], "level": "INFO"},
        "django": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
