"""Positions by class: the admin's mapping from roster positions to the classes a rule gives
amounts to, the classes of the roster's positions (for SQL: one VALUES row per distinct
position/echelon pair), the mapping page's overview, a change's preview and its saving, and the
roster import's warnings for positions that match no class.

The matching itself is `rules.match_position` (pure; precedence documented there).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, func, literal, select, text, union_all
from sqlalchemy.sql import column

from marketplace.accounts.models import Opd, User
from marketplace.audit.models import record_audit
from marketplace.errors import Conflict, Forbidden, ValidationFailed
from marketplace.extensions import db
from marketplace.mandate import rules
from marketplace.mandate.models import MandateRule, PositionClass, PositionClassMatch
from marketplace.timeutil import current_period

PREVIEW_ROWS = 200  # people listed in a preview (the counts cover everyone)
UNMATCHED_ROWS = 200  # unmatched positions listed on the mapping page


# ---------------------------------------------------------------- the mapping
@dataclass(frozen=True)
class Mapping:
    """Classes by key (their names) and the match rules, class names included as exact rules."""

    names: dict[str, str]
    matches: tuple[rules.PositionMatch, ...]

    def match(self, position: str | None, echelon: str | None) -> rules.PositionMatch | None:
        return rules.match_position(position, echelon, self.matches)

    def class_of(self, position: str | None, echelon: str | None) -> str | None:
        found = self.match(position, echelon)
        return found.class_key if found else None


def _build(classes: Iterable[tuple[str, str]], rows: Iterable[rules.PositionMatch]) -> Mapping:
    names = dict(classes)
    implicit = tuple(rules.PositionMatch(rules.EXACT, key, key) for key in names)
    return Mapping(names, implicit + tuple(rows))


def load_mapping() -> Mapping:
    """The mapping as stored, plus any class a rule names without a class row (an exact match
    on its name, as before classes existed). One query."""
    from marketplace.mandate.models import MandateRuleLine

    none = literal(None, Integer)
    rows = db.session.execute(
        union_all(
            select(literal("class"), PositionClass.key, PositionClass.name, none),
            select(
                literal("line"),
                MandateRuleLine.position_key,
                func.min(MandateRuleLine.position),
                none,
            ).group_by(MandateRuleLine.position_key),
            select(
                PositionClassMatch.kind,
                PositionClassMatch.key,
                PositionClass.key,
                PositionClassMatch.id,
            ).join(PositionClass, PositionClass.id == PositionClassMatch.class_id),
        )
    ).all()
    classes = {key: name for kind, key, name, _id in rows if kind == "class"}
    for kind, key, name, _id in rows:
        if kind == "line":
            classes.setdefault(key, name)
    matches = [
        rules.PositionMatch(kind, key, class_key, id_)
        for kind, key, class_key, id_ in rows
        if kind not in ("class", "line")
    ]
    return _build(classes.items(), matches)


def class_name(key: str | None, mapping: Mapping | None = None) -> str | None:
    if key is None:
        return None
    return (mapping or load_mapping()).names.get(key)


# ---------------------------------------------------------------- the roster's classes in SQL
def roster_pairs() -> list[tuple[str, str, int]]:
    """Distinct (position, echelon) of civil servants ('' for none) with how many hold each."""
    position = func.coalesce(User.position, "")
    echelon = func.coalesce(User.echelon, "")
    return [
        (p, e, int(n))
        for p, e, n in db.session.execute(
            select(position, echelon, func.count())
            .where(User.role == "civil_servant", User.active.is_(True))
            .group_by(position, echelon)
        )
    ]


def class_table(mapping: Mapping | None = None):
    """A VALUES table (position, echelon, class_key) of every distinct roster pair that matches
    a class, to join users on (coalesce(position, ''), coalesce(echelon, '')); None when no
    pair matches."""
    mapping = mapping or load_mapping()
    data = []
    for position, echelon, _n in roster_pairs():
        key = mapping.class_of(position, echelon)
        if key is not None:
            data.append((position, echelon, key))
    if not data:
        return None
    # A plain VALUES list (SQLite refuses column names after a VALUES alias; both databases
    # call its columns column1, column2, column3), renamed by a select around it.
    rows, params = [], {}
    for i, (position, echelon, key) in enumerate(data):
        rows.append(f"(:p{i}, :e{i}, :k{i})")
        params.update({f"p{i}": position, f"e{i}": echelon, f"k{i}": key})
    listed = (
        text("VALUES " + ", ".join(rows))
        .bindparams(**params)
        .columns(column("column1", String), column("column2", String), column("column3", String))
        .subquery("listed")
    )
    return select(
        listed.c.column1.label("position"),
        listed.c.column2.label("echelon"),
        listed.c.column3.label("class_key"),
    ).subquery("position_classes")


# ---------------------------------------------------------------- the mapping page
def _require_admin(actor: User) -> None:
    if actor.role != "admin":
        raise Forbidden()


def _rule_in_force() -> MandateRule | None:
    return db.session.scalars(
        select(MandateRule)
        .where(MandateRule.effective_from <= current_period())
        .order_by(MandateRule.effective_from.desc())
        .limit(1)
    ).first()


def _amounts(rule: MandateRule | None) -> tuple[dict[str, int], int]:
    if rule is None:
        return {}, 0
    return {line.position_key: int(line.amount) for line in rule.lines}, int(rule.default_amount)


def fingerprint(mapping: Mapping, change: dict[str, Any] | None = None) -> str:
    """A digest of the stored mapping (and a change): saving a previewed change requires it, so
    a change saved by someone else in between is a 409, never a surprise."""
    state = {
        "classes": sorted(mapping.names.items()),
        "matches": sorted((m.kind, m.key, m.class_key, m.id or 0) for m in mapping.matches),
        "change": _canonical(change or {}),
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:32]


def _canonical(change: dict[str, Any]) -> dict[str, Any]:
    return {
        "new_classes": sorted(rules.text_key(n) for n in change.get("new_classes", [])),
        "add": sorted(
            (rules.text_key(a["class_name"]), a["kind"], rules.match_key(a["kind"], a["text"]))
            for a in change.get("add", [])
        ),
        "remove": sorted(change.get("remove", [])),
    }


def mapping_overview(actor: User) -> dict[str, Any]:
    """Admin: the classes with their amount in force and head count, their match rules, and the
    roster positions that match no class (most common first) with how many hold each."""
    _require_admin(actor)
    mapping = load_mapping()
    rule = _rule_in_force()
    amounts, default = _amounts(rule)
    counts: dict[str | None, int] = {}
    unmatched: dict[tuple[str, str], int] = {}
    for position, echelon, n in roster_pairs():
        key = mapping.class_of(position, echelon)
        counts[key] = counts.get(key, 0) + n
        if key is None:
            unmatched[(position, echelon)] = n
    stored = db.session.scalars(select(PositionClassMatch).order_by(PositionClassMatch.id)).all()
    by_class: dict[str, list[dict[str, Any]]] = {}
    for row in stored:
        by_class.setdefault(row.position_class.key, []).append(
            {"id": row.id, "kind": row.kind, "text": row.text}
        )
    classes = [
        {
            "key": key,
            "name": name,
            "amount": rules.required_for_class(key, amounts, default),
            "own_amount": key in amounts,
            "civil_servants": counts.get(key, 0),
            "matches": by_class.get(key, []),
        }
        for key, name in sorted(mapping.names.items(), key=lambda kv: kv[1].lower())
    ]
    ordered = sorted(unmatched.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "period": current_period(),
        "rule_effective_from": rule.effective_from if rule else None,
        "default_amount": default,
        "counts_on": rule.counts_on if rule else "receipt",
        "classes": classes,
        "unmatched": [
            {"position": p or None, "echelon": e or None, "civil_servants": n}
            for (p, e), n in ordered[:UNMATCHED_ROWS]
        ],
        "unmatched_positions": len(ordered),
        "unmatched_civil_servants": counts.get(None, 0),
        "fingerprint": fingerprint(mapping),
    }


def _after(mapping: Mapping, change: dict[str, Any]) -> tuple[Mapping, dict[str, list[str]]]:
    """The mapping with `change` applied (nothing stored) and the change's problems."""
    errors: dict[str, list[str]] = {}
    names = dict(mapping.names)
    for i, name in enumerate(change.get("new_classes", [])):
        key = rules.text_key(name)
        if not key or len(name) > rules.MAX_MATCH_TEXT:
            errors.setdefault(f"new_classes.{i}", []).append(
                "Nama kelas wajib diisi, paling banyak 120 karakter."
            )
        elif key in names:
            errors.setdefault(f"new_classes.{i}", []).append(f"Kelas {names[key]!r} sudah ada.")
        else:
            names[key] = " ".join(name.split())
    removed = set(change.get("remove", []))
    stored_ids = {m.id for m in mapping.matches if m.id is not None}
    for match_id in sorted(removed - stored_ids):
        errors.setdefault("remove", []).append(f"Aturan #{match_id} tidak ada.")
    kept = [m for m in mapping.matches if m.id is None or m.id not in removed]
    taken = {(m.kind, m.key): m.class_key for m in kept}
    for key in names:  # class names are exact matches
        taken.setdefault((rules.EXACT, key), key)
    for i, add in enumerate(change.get("add", [])):
        field = f"add.{i}"
        class_key = rules.text_key(add["class_name"])
        problem = rules.match_problem(add["kind"], add["text"])
        if class_key not in names:
            problem = problem or f"Kelas {add['class_name']!r} tidak ada."
        key = rules.match_key(add["kind"], add["text"])
        # an exact name and an alias are the same text test: one text, one class
        kinds = (
            (rules.EXACT, rules.ALIAS)
            if add["kind"] in (rules.EXACT, rules.ALIAS)
            else (add["kind"],)
        )
        owner = next((taken[(k, key)] for k in kinds if (k, key) in taken), None)
        if problem is None and owner is not None:
            problem = f"{add['text']!r} sudah dipakai kelas {names.get(owner, owner)!r}."
        if problem:
            errors.setdefault(field, []).append(problem)
            continue
        taken[(add["kind"], key)] = class_key
        kept.append(rules.PositionMatch(add["kind"], key, class_key))
    # the class names' own exact matches are rebuilt from `names`
    rows = [
        m for m in kept if not (m.id is None and m.kind == rules.EXACT and m.key == m.class_key)
    ]
    return _build(names.items(), rows), errors


def _people() -> dict[int, Any]:
    """Every active civil servant's id, NIP, name, OPD code, position and echelon."""
    return {
        row.id: row
        for row in db.session.execute(
            select(User.id, User.nip, User.name, User.position, User.echelon, Opd.code)
            .outerjoin(Opd, Opd.id == User.opd_id)
            .where(User.role == "civil_servant", User.active.is_(True))
        )
    }


def preview_mapping(actor: User, change: dict[str, Any]) -> dict[str, Any]:
    """Admin: what `change` would do, nothing saved: head count per class before and after, how
    many would match no class, and the civil servants whose class or amount changes (the first
    PREVIEW_ROWS, by name). 422 for a change that cannot be kept. Its `fingerprint` confirms."""
    _require_admin(actor)
    before = load_mapping()
    after, errors = _after(before, change)
    if errors:
        raise ValidationFailed("Periksa perubahan pemetaan jabatan.", details=errors)
    rule = _rule_in_force()
    amounts, default = _amounts(rule)
    people = _people()
    counts, changed = rules.mapping_changes(
        ((p.id, p.position, p.echelon) for p in people.values()),
        before.matches,
        after.matches,
        amounts,
        default,
    )
    names = after.names
    classes = [
        {
            "key": key,
            "name": names.get(key) if key else None,
            "amount": rules.required_for_class(key, amounts, default),
            "before": counts.get(key, (0, 0))[0],
            "after": counts.get(key, (0, 0))[1],
        }
        for key in sorted(counts, key=lambda k: (k is None, (names.get(k) or "").lower()))
    ]
    rows = sorted(
        (
            {
                "user_id": uid,
                "nip": people[uid].nip,
                "name": people[uid].name,
                "opd": people[uid].code,
                "position": people[uid].position,
                "echelon": people[uid].echelon,
                "class_before": names.get(old.class_key) or before.names.get(old.class_key)
                if old.class_key
                else None,
                "class_after": names.get(new.class_key) if new.class_key else None,
                "required_before": old.required,
                "required_after": new.required,
            }
            for uid, old, new in changed
        ),
        key=lambda r: (r["name"], r["user_id"]),
    )
    return {
        "period": current_period(),
        "default_amount": default,
        "classes": classes,
        "changed_total": len(changed),
        "amount_changed_total": sum(1 for _u, o, n in changed if o.required != n.required),
        "changed": rows[:PREVIEW_ROWS],
        "unmatched_before": sum(c["before"] for c in classes if c["key"] is None),
        "unmatched_after": sum(c["after"] for c in classes if c["key"] is None),
        "fingerprint": fingerprint(before, change),
    }


def save_mapping(actor: User, change: dict[str, Any], confirm: str) -> dict[str, Any]:
    """Admin: store a previewed change (new classes, added and removed match rules), audited
    `mandate.positions_set`. 409 `mapping_changed` when the mapping changed since the preview
    (`confirm` is the preview's fingerprint); 422 as the preview."""
    _require_admin(actor)
    before = load_mapping()
    if confirm != fingerprint(before, change):
        raise Conflict(
            "Pemetaan jabatan berubah sejak pratinjau; lihat pratinjau lagi.",
            code="mapping_changed",
        )
    _after_mapping, errors = _after(before, change)
    if errors:
        raise ValidationFailed("Periksa perubahan pemetaan jabatan.", details=errors)
    preview = preview_mapping(actor, change)
    classes = {c.key: c for c in db.session.scalars(select(PositionClass))}
    for name in change.get("new_classes", []):
        cls = PositionClass(key=rules.text_key(name), name=" ".join(name.split()))
        db.session.add(cls)
        classes[cls.key] = cls
    for key, name in before.names.items():  # a class a rule named before classes existed
        if key not in classes and any(
            rules.text_key(a["class_name"]) == key for a in change.get("add", [])
        ):
            classes[key] = PositionClass(key=key, name=name)
            db.session.add(classes[key])
    removed = []
    for match_id in change.get("remove", []):
        row = db.session.get(PositionClassMatch, match_id)
        if row is not None:
            removed.append({"kind": row.kind, "text": row.text, "class": row.position_class.name})
            db.session.delete(row)
    db.session.flush()
    for add in change.get("add", []):
        db.session.add(
            PositionClassMatch(
                position_class=classes[rules.text_key(add["class_name"])],
                kind=add["kind"],
                text=" ".join(add["text"].split()),
                key=rules.match_key(add["kind"], add["text"]),
            )
        )
    db.session.flush()
    record_audit(
        actor,
        "mandate.positions_set",
        "mandate_positions",
        None,
        before={"removed": removed},
        after={
            "new_classes": list(change.get("new_classes", [])),
            "added": list(change.get("add", [])),
            "changed_civil_servants": preview["changed_total"],
        },
    )
    db.session.commit()
    result = mapping_overview(actor)
    result["changed_total"] = preview["changed_total"]
    return result


# ---------------------------------------------------------------- classes for rules and demo
def ensure_classes(names: Iterable[str]) -> None:
    """Give each class a rule names its row (flush only): a new name is a new class whose own
    name is its exact match, as a position name in a rule always was."""
    existing = set(db.session.scalars(select(PositionClass.key)))
    for name in names:
        key = rules.text_key(name)
        if key and key not in existing:
            db.session.add(PositionClass(key=key, name=" ".join(name.split())))
            existing.add(key)
    db.session.flush()


def seed_position_classes() -> None:
    """The default classes and their match rules (rules.DEFAULT_CLASSES), where missing
    (idempotent; flush only)."""
    ensure_classes(rules.DEFAULT_CLASSES)
    classes = {c.key: c for c in db.session.scalars(select(PositionClass))}
    taken = set(db.session.execute(select(PositionClassMatch.kind, PositionClassMatch.key)))
    for name, matches in rules.DEFAULT_CLASSES.items():
        for kind, typed in matches:
            key = rules.match_key(kind, typed)
            if (kind, key) not in taken:
                db.session.add(
                    PositionClassMatch(
                        position_class=classes[rules.text_key(name)],
                        kind=kind,
                        text=typed,
                        key=key,
                    )
                )
                taken.add((kind, key))
    db.session.flush()


# ---------------------------------------------------------------- the roster import
def roster_warnings(rows: Iterable[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """For the roster import: one warning per imported row whose position matches no class
    (it owes the default amount); the row is imported all the same."""
    mapping = load_mapping()
    rule = _rule_in_force()
    default = int(rule.default_amount) if rule else 0
    from marketplace.money import format_rupiah

    warnings = []
    for number, position, echelon in rows:
        if mapping.class_of(position, echelon) is None:
            shown = " ".join((position or "").split()) or "(kosong)"
            warnings.append(
                {
                    "row": number,
                    "position": position or None,
                    "message": (
                        f"Jabatan {shown!r} tidak cocok dengan kelas jabatan mana pun; "
                        f"berlaku minimal bawaan {format_rupiah(default)}. "
                        "Petakan di halaman kelas jabatan."
                    ),
                }
            )
    return warnings
