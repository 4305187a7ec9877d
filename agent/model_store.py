"""One place that knows where every model lives: ``ModelStore(config).path("qwen2.5-coder-1.5b")``.

Split GGUFs are assembled on demand into ``$VISREASON_HOME/models`` (see :mod:`agent.file_assembly`);
package-shipped weights are located inside their installed package; the detector comes from the
config; hub models are listed (real backends) but never downloaded here.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import asdict, dataclass
from pathlib import Path

from agent.config import Config
from agent.errors import ModelUnavailableError
from agent.file_assembly import AssemblyError, assemble, cached_sha256, is_complete
from agent.model_registry import REGISTRY, ModelSpec


@dataclass(frozen=True)
class ModelStatus:
    name: str
    kind: str
    backend: str
    offline: bool
    state: str  # present | assemblable | missing | hub
    path: str | None
    source: str  # human-readable "where from"
    detail: str = ""

    @property
    def present(self) -> bool:
        return self.state == "present"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class VerifyResult:
    name: str
    ok: bool
    path: str | None
    size: int | None
    sha256: str | None
    expected_sha256: str | None
    detail: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _import(module: str, spec: ModelSpec):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ModelUnavailableError(
            f"model {spec.name!r} needs the Python package {module!r}, which is not installed",
            hint=f"pip install {spec.pip}" if spec.pip else spec.how_to_get,
        ) from None


def locate_in_package(spec: ModelSpec) -> Path:
    """Resolve a ``pypi-package`` spec to a file or directory inside the installed package."""
    module = _import(spec.package, spec)
    root = Path(module.__file__).resolve().parent
    how = spec.locate
    if not how:
        return root
    if how.startswith("call:"):
        obj = module
        for attr in how[len("call:"):].split("."):
            obj = getattr(obj, attr)
        return Path(obj())
    if how.startswith("find:"):
        # Packaged sentence-transformers models nest their folder at varying depths.
        marker = how[len("find:"):]
        hits = sorted(root.rglob(marker), key=lambda p: len(p.parts))
        if not hits:
            raise ModelUnavailableError(f"{spec.name}: no {marker} inside package {spec.package} at {root}",
                                        hint=f"reinstall: pip install --force-reinstall {spec.pip}")
        return hits[0].parent
    raise ValueError(f"{spec.name}: bad locate rule {how!r}")


class ModelStore:
    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.home = self.config.home_path
        self.models_dir = self.home / "models"

    # ---- registry -------------------------------------------------------------------------
    def spec(self, name: str) -> ModelSpec:
        try:
            return REGISTRY[name]
        except KeyError:
            raise ModelUnavailableError(f"unknown model {name!r}",
                                        hint="known models: " + ", ".join(REGISTRY)) from None

    def names(self) -> list[str]:
        return list(REGISTRY)

    # ---- status ---------------------------------------------------------------------------
    def status(self, name: str) -> ModelStatus:
        """Cheap check (no hashing of unverified files, no assembly)."""
        spec = self.spec(name)
        base = {"name": spec.name, "kind": spec.kind, "backend": spec.backend, "offline": spec.offline}
        if spec.source == "pypi-parts":
            dest = self.models_dir / spec.filename
            where = f"PyPI parts {spec.parts[0]}..{spec.parts[-1].rsplit('part', 1)[-1]}"
            if dest.exists() and dest.stat().st_size == (spec.size or dest.stat().st_size):
                return ModelStatus(**base, state="present", path=str(dest), source=f"assembled from {where}")
            missing = [m for m in spec.parts if importlib.util.find_spec(m) is None]
            if missing:
                return ModelStatus(**base, state="missing", path=None, source=where,
                                   detail=f"{len(missing)} part package(s) missing; pip install {spec.pip}")
            return ModelStatus(**base, state="assemblable", path=str(dest), source=where,
                               detail=f"`visreason models fetch {spec.name}` (or first use) assembles it")
        if spec.source == "pypi-package":
            try:
                path = locate_in_package(spec)
            except ModelUnavailableError as exc:
                return ModelStatus(**base, state="missing", path=None, source=f"PyPI package {spec.package}",
                                   detail=exc.hint or exc.message)
            state = "present" if path.exists() else "missing"
            return ModelStatus(**base, state=state, path=str(path), source=f"PyPI package {spec.package}")
        if spec.source == "local-file":
            path = self._local_file(spec)
            if path is not None and path.exists():
                return ModelStatus(**base, state="present", path=str(path), source=f"local file ({spec.location})")
            return ModelStatus(**base, state="missing", path=str(path) if path else None,
                               source=f"local file ({spec.location})", detail=spec.how_to_get)
        return ModelStatus(**base, state="hub", path=None, source=f"hub {spec.location}", detail=spec.how_to_get)

    # ---- paths ----------------------------------------------------------------------------
    def path(self, name: str) -> Path:
        """Local path of the model, assembling split files on first use."""
        spec = self.spec(name)
        if spec.source == "pypi-parts":
            return self._assembled(spec)
        if spec.source == "pypi-package":
            path = locate_in_package(spec)
            if not path.exists():
                raise ModelUnavailableError(f"{spec.name}: expected {path} inside package {spec.package}",
                                            hint=f"pip install --force-reinstall {spec.pip}")
            return path
        if spec.source == "local-file":
            path = self._local_file(spec)
            if path is None or not path.exists():
                raise ModelUnavailableError(f"{spec.name}: model file not found ({path or 'not configured'})",
                                            hint=spec.how_to_get)
            if spec.sha256 and cached_sha256(path, self._sidecar(spec)) != spec.sha256:
                raise ModelUnavailableError(f"{spec.name}: {path} has the wrong sha256 (expected {spec.sha256})",
                                            hint=spec.how_to_get)
            return path
        raise ModelUnavailableError(f"{spec.name} is a hub model and is not available offline here",
                                    hint=spec.how_to_get)

    def fetch(self, name: str) -> Path:
        """Make the model available locally (assemble parts); never downloads from a hub."""
        return self.path(name)

    def verify(self, name: str) -> VerifyResult:
        """Full re-hash of the local file against the registry (refreshes the sidecar cache)."""
        spec = self.spec(name)
        if spec.source == "hub":
            return VerifyResult(name, False, None, None, None, None, "hub model: nothing local to verify")
        if spec.source == "pypi-parts":
            path = self.models_dir / spec.filename
            if not path.exists():
                return VerifyResult(name, False, None, None, None, spec.sha256,
                                    f"not assembled yet: visreason models fetch {name}")
            sidecar = None
        else:
            try:
                path = locate_in_package(spec) if spec.source == "pypi-package" else self._local_file(spec)
            except ModelUnavailableError as exc:
                return VerifyResult(name, False, None, None, None, spec.sha256, exc.hint or exc.message)
            if path is None or not path.exists():
                return VerifyResult(name, False, None, None, None, spec.sha256, "file not found")
            if path.is_dir():
                return VerifyResult(name, True, str(path), None, None, None, "directory present (no hash pinned)")
            sidecar = self._sidecar(spec)
        size = path.stat().st_size
        digest = cached_sha256(path, sidecar, force=True)
        problems = []
        if spec.size is not None and size != spec.size:
            problems.append(f"size {size:,} != expected {spec.size:,}")
        if spec.sha256 is not None and digest != spec.sha256:
            problems.append("sha256 mismatch")
        return VerifyResult(name, not problems, str(path), size, digest, spec.sha256, "; ".join(problems) or "ok")

    # ---- internals ------------------------------------------------------------------------
    def _local_file(self, spec: ModelSpec) -> Path | None:
        value = getattr(self.config, spec.location)
        return Path(value) if value else None

    def _sidecar(self, spec: ModelSpec) -> Path:
        # Files outside our home (e.g. a shared read-only folder) get their hash cache in our home.
        return self.home / "verified" / f"{spec.name}.sha256"

    def _assembled(self, spec: ModelSpec) -> Path:
        dest = self.models_dir / spec.filename
        if is_complete(dest, spec.size, spec.sha256):
            return dest
        part_paths = []
        for module_name in spec.parts:
            module = _import(module_name, spec)
            part_paths.append(Path(module.get_part_path()))
        try:
            assemble(part_paths, dest, size=spec.size, sha256=spec.sha256)
        except AssemblyError as exc:
            raise ModelUnavailableError(f"{spec.name}: {exc}",
                                        hint=f"reinstall the parts: pip install --force-reinstall {spec.pip}") from None
        return dest
