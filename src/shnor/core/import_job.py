"""An uploaded file loaded as a background job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shnor.core.importing import importer_for
from shnor.core.jobs import Progress, job_kind


@job_kind("import")
def import_file(progress: Progress, params: dict[str, Any], user: Any) -> dict[str, Any]:
    importer = importer_for(params["kind"], user, **params.get("options", {}))
    report = importer.run(Path(params["path"]), params["name"], progress)
    return report.as_dict()
