"""Procedure profiles: loading, validating and adjusting the four official procedures.

A profile is a versioned YAML file shipped in ``core/procedures/data/<CODE>.yaml`` (one per
``core.choices.ProcedureCode``), validated on load against ``schema.json`` (structure) and
by ``_check_semantics`` (step ids ``CODE-1..n`` unique and contiguous, roles of
``core.choices.Role``, step keys of ``keys.STEP_KEYS``, at least one key per step, records
with a name and the same data wherever the same format appears). A broken file raises
``ProfileError`` with a Spanish message naming the file, the step and the problem; the
``check_profiles`` management command runs the same checks.

Each file is parsed once per modification time (``functools.lru_cache`` keyed by path and
mtime), so profiles cost nothing per request. The organization's admin adjustments
(``Organization.procedure_overrides``, written only by
``core.procedures.services.procedure_overrides_update``) are merged over the shipped file
by ``get_profile``::

    {"records": {"<record key>": {"code": "MI-GS-RG-869", "version": "2", "date": "2025-02-01"}},
     "role_names": {"unit_head": "Director de área"},
     "step_roles": {"FP-2": ["unit_head"]},
     "committee_secretary_role": "planner"}

A record's key is its explicit ``key``, else its shipped ``code``, else a slug of its name;
the same format used by several steps (an acta, an attendance register) has one key, so it
is adjusted once. Switches are part of the official procedure and are not adjustable,
except ``role_names``. ``step_roles`` changes who is responsible for a step (an
organization whose procedure names another role): who may act follows it; so does
``committee_secretary_role``.

Who may do a step's action comes from here: ``Profile.roles_for_keys`` gives the roles of
the steps an event key completes (``core.permissions`` uses it), so the procedure, not a
fixed table, says who submits a plan, prioritises or records the committee's decision.
With the switch ``committee_secretary_role`` (e.g. ``planner``) that role may also record
the Comité Directivo's decision, and the acta must then name the members present.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema
import yaml

from acompana.core.choices import Role
from acompana.core.procedures.keys import STEP_KEYS

DATA_DIR = Path(__file__).resolve().parent / "data"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema.json"

#: Format codes such as ``MI-GS-RG-869``: letters, digits and hyphens.
RECORD_CODE_RE = re.compile(r"^[A-Za-z0-9-]{1,40}$")
RECORD_VERSION_MAX = 20
ROLE_NAME_MAX = 120

SWITCH_NAMES = (
    "unit_scoped_writes",
    "plan_review_by_unit_head",
    "plan_consolidation_by_planning",
    "plan_verification",
    "committee_approves_strategy",
    "committee_approves_plan",
    "plan_publication",
    "agenda_period",
    "agenda_vs_plan_check",
    "travel_allowance",
    "evaluation_stages",
    "consent_required_to_evaluate",
    "milestones",
    "committee_secretary_role",
    "role_names",
)

VALID_ROLES = tuple(role.value for role in Role)
#: the switch naming the role that may record the committee's actas besides its members
SECRETARY = "committee_secretary_role"


class ProfileError(ValueError):
    """A profile file (or its adjustments) is not usable. ``str()`` is the Spanish message."""

    def __init__(self, problem: str, *, path: str | Path | None = None, step: str | None = None):
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.step = step
        where = [f"el perfil «{Path(path).name}»" if path is not None else "el perfil"]
        if step:
            where.append(f"paso {step}")
        super().__init__(f"Error en {', '.join(where)}: {problem}")


# --- the profile objects ---------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """An official format a step produces (``code`` and ``version`` may be adjusted)."""

    key: str
    name: str
    code: str | None = None
    version: str | None = None
    date: str | None = None
    #: the organization's admin changed code, version or date
    adjusted: bool = False


@dataclass(frozen=True)
class Step:
    """One official step (``SAL-3``...) with who does it and the keys that complete it."""

    id: str
    number: int
    name: str
    description: str
    roles: tuple[str, ...]
    #: the roles as this organization calls them, in the order of ``roles``
    role_names: tuple[str, ...]
    responsible: str
    control_point: str | None
    records: tuple[Record, ...]
    step_keys: tuple[str, ...]
    area: str | None = None
    when: str | None = None
    phva: str | None = None
    storage: str | None = None


@dataclass(frozen=True)
class Source:
    document: str
    version: str
    date: str
    code: str | None = None
    process: str | None = None
    office: str | None = None
    file: str | None = None


@dataclass(frozen=True)
class Profile:
    """An organization's procedure: the shipped file merged with its adjustments."""

    code: str
    version: str
    entity_kind: str
    title: str
    objective: str
    scope: str
    source: Source
    steps: tuple[Step, ...]
    #: DESIGN section 3 switches (read-only); ``role_names`` included
    switches: Mapping[str, Any]
    role_names: Mapping[str, str]
    applies_to: str | None = None
    responsible: str | None = None
    output: str | None = None
    policies: tuple[str, ...] = ()
    related_documents: tuple[Record, ...] = ()
    path: str = ""
    #: the organization has adjustments merged in
    adjusted: bool = False

    def __str__(self) -> str:
        return self.title

    @functools.cached_property
    def _steps_by_key(self) -> dict[str, list[Step]]:
        index: dict[str, list[Step]] = {}
        for step in self.steps:
            for key in step.step_keys:
                index.setdefault(key, []).append(step)
        return index

    def steps_for_key(self, step_key: str) -> list[Step]:
        """The official steps an event with ``step_key`` completes (often one, maybe none)."""
        return list(self._steps_by_key.get(step_key, ()))

    @property
    def mapped_keys(self) -> frozenset[str]:
        """Every step key that completes some step of this procedure."""
        return frozenset(self._steps_by_key)

    def roles_for_keys(self, step_keys: Iterable[str]) -> frozenset[str] | None:
        """Who may act for events with ``step_keys``: the roles of every step they complete.

        ``None`` when no step of this procedure maps any of the keys (the caller falls back
        to the static permission table). A committee step also admits the role named by the
        switch ``committee_secretary_role`` (the committee's technical secretary).
        """
        roles: set[str] = set()
        mapped = False
        secretary = self.switches.get(SECRETARY)
        for key in step_keys:
            for step in self._steps_by_key.get(key, ()):
                mapped = True
                roles.update(step.roles)
                if secretary and Role.COMMITTEE in step.roles:
                    roles.add(secretary)
        return frozenset(roles) if mapped else None

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    @property
    def step_ids(self) -> list[str]:
        return [step.id for step in self.steps]

    @functools.cached_property
    def formats(self) -> tuple[Record, ...]:
        """The distinct record formats of the steps, in order of first use."""
        seen: dict[str, Record] = {}
        for step in self.steps:
            for record in step.records:
                seen.setdefault(record.key, record)
        return tuple(seen.values())

    def format(self, key: str) -> Record:
        for record in self.formats:
            if record.key == key:
                return record
        raise KeyError(key)

    def format_steps(self, key: str) -> list[str]:
        """Ids of the steps that produce the format ``key``."""
        return [s.id for s in self.steps if any(r.key == key for r in s.records)]

    def records_for_key(self, step_key: str) -> list[Record]:
        """Formats of the steps ``step_key`` completes (for headers of generated documents)."""
        result: dict[str, Record] = {}
        for step in self.steps_for_key(step_key):
            for record in step.records:
                result.setdefault(record.key, record)
        return list(result.values())

    def role_name(self, role: str) -> str:
        """How this organization calls ``role`` (falls back to the product's role label)."""
        if role in self.role_names:
            return self.role_names[role]
        try:
            return str(Role(role).label)
        except ValueError:
            return role

    def switch(self, name: str, default: Any = None) -> Any:
        return self.switches.get(name, default)


# --- validation ------------------------------------------------------------------------------


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)  # type: ignore[no-any-return]


_TYPE_NAMES = {
    "string": "un texto",
    "boolean": "verdadero o falso (true/false)",
    "array": "una lista",
    "object": "un conjunto de campos (clave: valor)",
    "integer": "un número entero",
    "null": "vacío (null)",
}


def _field_label(parts: Iterable[Any]) -> str:
    label = ""
    for part in parts:
        if isinstance(part, int):
            label += f"[{part + 1}]"
        else:
            label += f".{part}" if label else str(part)
    return label or "(raíz del archivo)"


def _schema_problem(error: jsonschema.ValidationError, data: Any) -> tuple[str | None, str]:
    """(step, Spanish problem) for one JSON-schema error."""
    parts = list(error.absolute_path)
    step: str | None = None
    if len(parts) >= 2 and parts[0] == "steps" and isinstance(parts[1], int):
        raw = data["steps"][parts[1]]
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        step = raw_id if isinstance(raw_id, str) and raw_id else f"nº {parts[1] + 1}"
        parts = parts[2:]
    label = _field_label(parts)
    value: Any = error.instance
    spec: Any = error.validator_value
    schema: Any = error.schema
    kind = error.validator
    if kind == "required":
        missing = [k for k in spec if k not in (value or {})]
        where = "" if not parts else f" en «{label}»"
        return step, f"falta el campo obligatorio «{missing[0]}»{where}."
    if kind == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extra = sorted(k for k in value if k not in allowed)
        where = "" if not parts else f" en «{label}»"
        return step, f"campo desconocido «{extra[0]}»{where}."
    if kind == "type":
        names = [spec] if isinstance(spec, str) else list(spec)
        wanted = " o ".join(_TYPE_NAMES.get(n, n) for n in names)
        return step, f"el campo «{label}» debe ser {wanted}."
    if kind == "enum":
        options = ", ".join(str(o) for o in spec)
        return (
            step,
            f"el valor «{value}» de «{label}» no está permitido (valores posibles: {options}).",
        )
    if kind == "pattern":
        return step, f"el valor «{value}» de «{label}» no tiene el formato esperado."
    if kind == "minLength":
        return step, f"el campo «{label}» no puede estar vacío."
    if kind == "maxLength":
        return step, f"el campo «{label}» es demasiado largo (máximo {spec})."
    if kind == "minItems":
        return step, f"la lista «{label}» debe tener al menos {spec} elemento(s)."
    if kind == "uniqueItems":
        return step, f"la lista «{label}» tiene valores repetidos."
    return step, f"el campo «{label}» no es válido ({error.message})."


def _error_order(error: jsonschema.ValidationError) -> list[tuple[int, int | str]]:
    return [(p, "") if isinstance(p, int) else (-1, str(p)) for p in error.absolute_path]


def _check_schema(data: Any, path: str) -> None:
    if not isinstance(data, dict):
        raise ProfileError(
            "el archivo debe contener un conjunto de campos (clave: valor).", path=path
        )
    errors = sorted(_validator().iter_errors(data), key=_error_order)
    if errors:
        step, problem = _schema_problem(errors[0], data)
        raise ProfileError(problem, path=path, step=step)


def record_key(raw: Mapping[str, Any]) -> str:
    """Stable identifier of a format: explicit key, else shipped code, else slug of the name."""
    if raw.get("key"):
        return str(raw["key"])
    if raw.get("code"):
        return str(raw["code"])
    ascii_name = unicodedata.normalize("NFKD", str(raw["name"])).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.decode().lower()).strip("-")
    return slug[:60] or "registro"


def _check_semantics(data: dict[str, Any], path: str, expected_code: str | None) -> None:
    code = data["code"]
    if expected_code is not None and code != expected_code:
        raise ProfileError(
            f"el código «{code}» no coincide con el del archivo (se esperaba «{expected_code}»).",
            path=path,
        )
    role_names = data["switches"]["role_names"]
    for role in role_names:
        if role not in VALID_ROLES:
            raise ProfileError(
                f"switches.role_names nombra el rol desconocido «{role}» "
                f"(roles válidos: {', '.join(VALID_ROLES)}).",
                path=path,
            )
    seen_ids: set[str] = set()
    formats: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for index, raw in enumerate(data["steps"]):
        step_id = raw["id"]
        expected = f"{code}-{index + 1}"
        if step_id in seen_ids:
            raise ProfileError(f"el id «{step_id}» está repetido.", path=path, step=step_id)
        if step_id != expected:
            raise ProfileError(
                f"se esperaba el id «{expected}»: los pasos se numeran {code}-1, {code}-2, … "
                "en orden y sin saltos.",
                path=path,
                step=step_id,
            )
        seen_ids.add(step_id)
        if not raw["name"].strip() or not raw["description"].strip():
            raise ProfileError(
                "el nombre y la descripción no pueden estar vacíos.", path=path, step=step_id
            )
        roles = raw["roles"]
        for role in roles:
            if role not in VALID_ROLES:
                raise ProfileError(
                    f"rol desconocido «{role}» (roles válidos: {', '.join(VALID_ROLES)}).",
                    path=path,
                    step=step_id,
                )
            if role not in role_names:
                raise ProfileError(
                    f"switches.role_names no da nombre al rol «{role}» que usa este paso.",
                    path=path,
                    step=step_id,
                )
        if len(set(roles)) != len(roles):
            raise ProfileError(
                "la lista de roles tiene valores repetidos.", path=path, step=step_id
            )
        keys = raw["step_keys"]
        if not keys:
            raise ProfileError(
                "el paso no tiene step_keys: cada paso debe poder completarse con al menos una "
                "clave.",
                path=path,
                step=step_id,
            )
        for key in keys:
            if key not in STEP_KEYS:
                raise ProfileError(
                    f"clave de paso desconocida «{key}» (las claves válidas están en "
                    "acompana/core/procedures/keys.py).",
                    path=path,
                    step=step_id,
                )
        if len(set(keys)) != len(keys):
            raise ProfileError(
                "la lista step_keys tiene valores repetidos.", path=path, step=step_id
            )
        step_record_keys: set[str] = set()
        for number, record in enumerate(raw["records"], start=1):
            if not str(record["name"]).strip():
                raise ProfileError(
                    f"el registro nº {number} no tiene nombre.", path=path, step=step_id
                )
            key = record_key(record)
            if key in step_record_keys:
                raise ProfileError(f"el registro «{key}» está repetido.", path=path, step=step_id)
            step_record_keys.add(key)
            signature = (
                record["name"],
                record.get("code"),
                record.get("version"),
                record.get("date"),
            )
            if key in formats and formats[key][1] != signature:
                raise ProfileError(
                    f"el registro «{key}» aparece con datos distintos aquí y en "
                    f"{formats[key][0]} (nombre, código y versión deben coincidir).",
                    path=path,
                    step=step_id,
                )
            formats.setdefault(key, (step_id, signature))


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _record(raw: Mapping[str, Any]) -> Record:
    return Record(
        key=record_key(raw),
        name=" ".join(str(raw["name"]).split()),
        code=raw.get("code"),
        version=raw.get("version"),
        date=raw.get("date"),
    )


def _build(data: dict[str, Any], path: str) -> Profile:
    role_names = dict(data["switches"]["role_names"])
    steps = tuple(
        Step(
            id=raw["id"],
            number=index,
            name=" ".join(raw["name"].split()),
            description=raw["description"].strip(),
            roles=tuple(raw["roles"]),
            role_names=tuple(role_names[r] for r in raw["roles"]),
            responsible=" ".join(raw["responsible"].split()),
            control_point=raw.get("control_point"),
            records=tuple(_record(r) for r in raw["records"]),
            step_keys=tuple(raw["step_keys"]),
            area=raw.get("area"),
            when=raw.get("when"),
            phva=raw.get("phva"),
            storage=raw.get("storage"),
        )
        for index, raw in enumerate(data["steps"], start=1)
    )
    source = data["source"]
    return Profile(
        code=data["code"],
        version=data["version"],
        entity_kind=data["entity_kind"],
        title=data["title"],
        objective=data["objective"].strip(),
        scope=data["scope"].strip(),
        source=Source(
            document=source["document"],
            version=source["version"],
            date=source["date"],
            code=source.get("code"),
            process=source.get("process"),
            office=source.get("office"),
            file=source.get("file"),
        ),
        steps=steps,
        switches=_frozen(data["switches"]),
        role_names=MappingProxyType(role_names),
        applies_to=data.get("applies_to"),
        responsible=data.get("responsible"),
        output=data.get("output"),
        policies=tuple(p.strip() for p in data.get("policies", [])),
        related_documents=tuple(_record(r) for r in data.get("related_documents", [])),
        path=path,
    )


def parse_profile(data: Any, *, path: str | Path, expected_code: str | None = None) -> Profile:
    """Validate already-parsed YAML data and build the profile (raises ``ProfileError``)."""
    path = str(path)
    _check_schema(data, path)
    _check_semantics(data, path, expected_code)
    return _build(data, path)


@functools.lru_cache(maxsize=32)
def _load_cached(path: str, mtime_ns: int, expected_code: str | None) -> Profile:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"no se puede leer el archivo ({exc}).", path=path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (línea {mark.line + 1})" if mark is not None else ""
        raise ProfileError(f"el archivo no es YAML válido{where}.", path=path)
    return parse_profile(data, path=path, expected_code=expected_code)


def load_profile_file(path: str | Path, *, expected_code: str | None = None) -> Profile:
    """Load and validate one profile file; parsed once per modification time."""
    resolved = Path(path).resolve()
    try:
        mtime_ns = resolved.stat().st_mtime_ns
    except OSError:
        raise ProfileError("el archivo no existe o no se puede leer.", path=resolved)
    return _load_cached(str(resolved), mtime_ns, expected_code)


def shipped_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.yaml"))


def shipped_profile(code: str) -> Profile:
    """The profile file shipped for ``code`` (SAL, FP, EDU, DNP), without adjustments."""
    path = DATA_DIR / f"{code}.yaml"
    if not code or not re.fullmatch(r"[A-Z]{2,6}", code) or not path.is_file():
        raise ProfileError(f"no hay un perfil para el procedimiento «{code}».", path=path)
    return load_profile_file(path, expected_code=code)


# --- adjustments -----------------------------------------------------------------------------


def apply_overrides(base: Profile, overrides: Mapping[str, Any] | None) -> Profile:
    """``base`` with the organization's adjustments merged in.

    Unknown record keys or roles (e.g. left over from an older profile version) are
    ignored here; the admin page only writes valid ones (``services``).
    """
    if not overrides:
        return base
    records = overrides.get("records") or {}
    roles = overrides.get("role_names") or {}
    step_roles = overrides.get("step_roles") or {}
    if not isinstance(step_roles, Mapping):
        step_roles = {}
    if not isinstance(records, Mapping):
        records = {}
    if not isinstance(roles, Mapping):
        roles = {}
    role_names = dict(base.role_names)
    for role, name in roles.items():
        if role in VALID_ROLES and isinstance(name, str) and name.strip():
            role_names[role] = name.strip()

    def adjust(record: Record) -> Record:
        change = records.get(record.key)
        if not isinstance(change, Mapping):
            return record
        return replace(
            record,
            code=(change["code"] or None) if "code" in change else record.code,
            version=(change["version"] or None) if "version" in change else record.version,
            date=(change["date"] or None) if "date" in change else record.date,
            adjusted=True,
        )

    def acting(step: Step) -> tuple[str, ...]:
        changed = step_roles.get(step.id)
        if not isinstance(changed, (list, tuple)):
            return step.roles
        valid = tuple(dict.fromkeys(r for r in changed if r in VALID_ROLES))
        return valid or step.roles

    steps = tuple(
        replace(
            step,
            records=tuple(adjust(r) for r in step.records),
            roles=acting(step),
            role_names=tuple(role_names.get(r, r) for r in acting(step)),
        )
        for step in base.steps
    )
    frozen_names = MappingProxyType(role_names)
    switches: dict[str, Any] = {**base.switches, "role_names": frozen_names}
    secretary = overrides.get("committee_secretary_role", base.switches.get(SECRETARY))
    if secretary is None or secretary in VALID_ROLES:
        switches[SECRETARY] = secretary
    return replace(
        base,
        steps=steps,
        role_names=frozen_names,
        switches=MappingProxyType(switches),
        adjusted=True,
    )


def get_profile(organization: Any) -> Profile:
    """The organization's procedure: its shipped profile merged with its adjustments."""
    base = shipped_profile(organization.procedure_code)
    return apply_overrides(base, getattr(organization, "procedure_overrides", None))


def profile_switch(organization: Any, name: str) -> Any:
    """One workflow switch of the organization's procedure (None when the name is unknown)."""
    if name == "role_names":
        return get_profile(organization).role_names
    return shipped_profile(organization.procedure_code).switches.get(name)


def check_profile_files(
    paths: Iterable[str | Path] | None = None,
) -> list[tuple[Path, Profile | None, ProfileError | None]]:
    """Validate the shipped files (default) or ``paths``: (path, profile or None, error or None)."""
    results: list[tuple[Path, Profile | None, ProfileError | None]] = []
    for path in list(paths) if paths is not None else shipped_files():
        path = Path(path)
        expected = path.stem if path.resolve().parent == DATA_DIR else None
        try:
            results.append((path, load_profile_file(path, expected_code=expected), None))
        except ProfileError as exc:
            results.append((path, None, exc))
    return results


__all__ = [
    "Profile",
    "ProfileError",
    "Record",
    "Source",
    "Step",
    "apply_overrides",
    "check_profile_files",
    "get_profile",
    "load_profile_file",
    "parse_profile",
    "profile_switch",
    "shipped_profile",
]
