"""Django settings, read from the environment.

SHNOR_DATA_DIR   where the SQLite file, uploads and generated files live (default: ./data)
DATABASE_URL     sqlite:///path or postgres://user:pass@host/db (default: SQLite in SHNOR_DATA_DIR)
SHNOR_SECRET_KEY secret key (a fixed development key is used when SHNOR_DEBUG is on)
SHNOR_DEBUG      1/0, default 1 for the embedded set-up
SHNOR_ALLOWED_HOSTS comma-separated host names
"""

from __future__ import annotations

import os
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


DATA_DIR = Path(os.environ.get("SHNOR_DATA_DIR", Path.cwd() / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite cannot create its file's folder
DEBUG = env_bool("SHNOR_DEBUG", True)
SECRET_KEY = os.environ.get("SHNOR_SECRET_KEY") or (
    "shnor-development-key-not-for-production" if DEBUG else ""
)
if not SECRET_KEY:
    raise ImproperlyConfigured("SHNOR_SECRET_KEY must be set when SHNOR_DEBUG is off")
ALLOWED_HOSTS = [h for h in os.environ.get("SHNOR_ALLOWED_HOSTS", "*").split(",") if h]

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
    "shnor.identification",
    "shnor.risks",
    "shnor.indicators",
    "shnor.staff",
    "shnor.support",
    "shnor.reports",
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
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "shnor.core.context.navigation",
            ]
        },
    }
]
WSGI_APPLICATION = "shnor.wsgi.application"


def database_config() -> dict[str, object]:
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

# The methodology whose latest run is «the list» on overviews and school lists.
PRIMARY_METHODOLOGY = os.environ.get("SHNOR_PRIMARY_METHODOLOGY", "federal")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"shnor": {"handlers": ["console"], "level": "INFO"}},
}
