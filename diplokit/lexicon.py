"""Lexicons: countries, organisations, people, sector and event cues, titles.

All knowledge lives in files under ``diplokit/lexicons/``; a user grows it without editing
the package, either with a folder of extra files (same names and columns) or from a
notebook::

    lex = Lexicon.load("my_lexicon/")            # bundled files + my_lexicon/*.csv|yaml
    lex = lex.add_person("Jeannette Kagame", country="RWA", role="First Lady of Rwanda")
    lex = lex.add_cues("health", ["malaria", "paludisme"])
    annotate(corpus, lexicon=lex)

Rows whose id already exists replace the bundled row; new ids are appended.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

import pandas as pd

from .matching import fold
from .resources import LEXICON_DIR, read_yaml

COUNTRY_COLUMNS = ["id", "name", "name_fr", "iso3", "status", "continent", "aliases", "demonyms", "capitals", "seats"]
ORG_COLUMNS = ["id", "name", "acronyms", "name_fr", "aliases", "type", "country", "parent"]
PEOPLE_COLUMNS = ["id", "name", "surname", "aliases", "role", "role_fr", "country", "start_year", "end_year", "other_roles"]
SECTOR_IDS = [
    "security_defence", "peacekeeping", "governance_public_admin", "justice_rule_of_law", "economy_investment",
    "trade", "infrastructure_transport", "energy", "health", "agriculture", "education_training",
    "science_technology_ict", "environment_climate", "tourism_culture_sport", "humanitarian_migration",
    "diplomacy_multilateral", "mining", "aviation",
]
EVENT_IDS = [
    "visit", "meeting_talks", "agreement_signed", "support_aid", "joint_statement_commitment",
    "plan_announced", "military_deployment", "criticism_tension",
]


def slug(name: str) -> str:
    """ASCII slug used for ids of entries added from a notebook."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")


def is_acronym(term: str) -> bool:
    """Terms with no lower-case letter ("AU", "CAR", "M23", "U.N.") match case-sensitively."""
    return any(c.isalpha() for c in term) and not any(c.islower() for c in term)


def _split(value) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [v.strip() for v in str(value).split("|") if v.strip()]


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False).fillna("")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")
    if df["id"].duplicated().any():
        raise ValueError(f"{path}: duplicate id(s) {', '.join(df.loc[df['id'].duplicated(), 'id'].head(5))}")
    return df[columns]


def _cues_frame(doc: dict, key: str, id_col: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    items = doc.get(key, []) if doc else []
    meta, cues = [], []
    for it in items:
        it = dict(it)
        cue_map = it.pop("cues", {}) or {}
        meta.append(it)
        for lang, terms in cue_map.items():
            for t in terms or []:
                if not isinstance(t, str):
                    raise ValueError(f"{key}: cue {t!r} of {it.get('id')} is not a string (quote it in the YAML)")
                cues.append({id_col: str(it["id"]), "lang": str(lang), "cue": t.strip()})
    return pd.DataFrame(meta), pd.DataFrame(cues, columns=[id_col, "lang", "cue"])


def _name_words(doc: dict | None) -> dict[str, frozenset[str]]:
    """The word sets of a given_names.yaml document (a key may hold a list, or a mapping
    of lists by group)."""
    out = {}
    for key in ("given_names", "not_given_names", "place_nouns", "place_heads"):
        value = (doc or {}).get(key) or []
        groups = value.values() if isinstance(value, dict) else [value]
        out[key] = frozenset(str(w).strip() for ws in groups for w in (ws or []) if str(w).strip())
    return out


def _merge(base: pd.DataFrame, extra: pd.DataFrame, key: str = "id") -> pd.DataFrame:
    if extra is None or extra.empty:
        return base
    extra = extra.reindex(columns=base.columns).fillna("") if not base.empty else extra
    kept = base[~base[key].isin(extra[key])]
    return pd.concat([kept, extra], ignore_index=True)


@dataclass(frozen=True)
class Lexicon:
    """Every piece of knowledge the annotator uses, as DataFrames users can read."""

    countries: pd.DataFrame
    organizations: pd.DataFrame
    people: pd.DataFrame
    sectors: pd.DataFrame
    sector_cues: pd.DataFrame
    events: pd.DataFrame
    event_cues: pd.DataFrame
    titles: pd.DataFrame
    generic_words: frozenset[str] = field(default_factory=frozenset)
    #: given_names.yaml: ``given_names``, ``not_given_names``, ``place_nouns``, ``place_heads`` (word sets)
    name_words: dict[str, frozenset[str]] = field(default_factory=dict, hash=False, compare=False)
    settings: dict = field(default_factory=dict, hash=False, compare=False)

    # --- construction ----------------------------------------------------------------
    @classmethod
    def load(cls, *extra: str | Path) -> "Lexicon":
        """The bundled lexicons, extended by each extra folder or file, in order.

        An extra folder may hold any of countries.csv, organizations.csv, people.csv,
        sectors.yaml, events.yaml, titles.yaml, given_names.yaml with the bundled files'
        columns (or keys).
        """
        lex = cls._from_dir(LEXICON_DIR)
        for e in extra:
            lex = lex.extend_from(e)
        return lex

    @classmethod
    def _from_dir(cls, d: Path) -> "Lexicon":
        sectors, sector_cues = _cues_frame(read_yaml(d / "sectors.yaml"), "sectors", "sector")
        events, event_cues = _cues_frame(read_yaml(d / "events.yaml"), "events", "event_type")
        titles_doc = read_yaml(d / "titles.yaml")
        titles = pd.DataFrame(
            [{"lang": lang, "title": str(t)} for lang, ts in titles_doc["titles"].items() for t in ts], columns=["lang", "title"]
        )
        return cls(
            countries=_read_csv(d / "countries.csv", COUNTRY_COLUMNS),
            organizations=_read_csv(d / "organizations.csv", ORG_COLUMNS),
            people=_read_csv(d / "people.csv", PEOPLE_COLUMNS),
            sectors=sectors,
            sector_cues=sector_cues,
            events=events,
            event_cues=event_cues,
            titles=titles,
            generic_words=frozenset(str(w).casefold() for w in titles_doc.get("generic_capitalised_words", [])),
            name_words=_name_words(read_yaml(d / "given_names.yaml")),
            settings=read_yaml(d / "annotation.yaml"),
        )

    def extend_from(self, path: str | Path) -> "Lexicon":
        """Add the lexicon files found in a folder (or a single such file)."""
        p = Path(path)
        files = {f.name: f for f in (p.iterdir() if p.is_dir() else [p])}
        known = {"countries.csv", "organizations.csv", "people.csv", "sectors.yaml", "events.yaml", "titles.yaml", "given_names.yaml"}
        if not files.keys() & known:
            raise ValueError(f"{p}: no lexicon files found (expected any of {', '.join(sorted(known))})")
        lex = self
        if "countries.csv" in files:
            lex = lex.extend(countries=pd.read_csv(files["countries.csv"], dtype=str, keep_default_na=False))
        if "organizations.csv" in files:
            lex = lex.extend(organizations=pd.read_csv(files["organizations.csv"], dtype=str, keep_default_na=False))
        if "people.csv" in files:
            lex = lex.extend(people=pd.read_csv(files["people.csv"], dtype=str, keep_default_na=False))
        if "sectors.yaml" in files:
            meta, cues = _cues_frame(read_yaml(files["sectors.yaml"]), "sectors", "sector")
            lex = replace(lex, sectors=_merge(lex.sectors, meta.reindex(columns=lex.sectors.columns)), sector_cues=pd.concat([lex.sector_cues, cues], ignore_index=True))
        if "events.yaml" in files:
            meta, cues = _cues_frame(read_yaml(files["events.yaml"]), "events", "event_type")
            lex = replace(lex, events=_merge(lex.events, meta.reindex(columns=lex.events.columns)), event_cues=pd.concat([lex.event_cues, cues], ignore_index=True))
        if "titles.yaml" in files:
            doc = read_yaml(files["titles.yaml"])
            extra = pd.DataFrame([{"lang": l, "title": str(t)} for l, ts in doc.get("titles", {}).items() for t in ts])
            lex = replace(lex, titles=pd.concat([lex.titles, extra], ignore_index=True))
        if "given_names.yaml" in files:
            extra_words = _name_words(read_yaml(files["given_names.yaml"]))
            lex = replace(lex, name_words={k: lex.name_words.get(k, frozenset()) | extra_words[k] for k in extra_words})
        return lex

    def extend(self, *, countries: pd.DataFrame | None = None, organizations: pd.DataFrame | None = None, people: pd.DataFrame | None = None) -> "Lexicon":
        """Add or replace rows (matched on ``id``) of the entity tables."""
        return replace(
            self,
            countries=_merge(self.countries, countries),
            organizations=_merge(self.organizations, organizations),
            people=_merge(self.people, people),
        )

    def add_person(self, name: str, *, country: str = "", role: str = "", aliases: Iterable[str] = (), surname: str | None = None, id: str | None = None) -> "Lexicon":
        """A new Lexicon with one more person (surname defaults to the last word of the name)."""
        row = {c: "" for c in PEOPLE_COLUMNS}
        row.update(id=id or slug(name), name=name, surname=name.split()[-1] if surname is None else surname, aliases="|".join(aliases), role=role, country=country)
        return self.extend(people=pd.DataFrame([row]))

    def add_organization(self, name: str, *, acronyms: Iterable[str] = (), type: str = "", country: str = "", aliases: Iterable[str] = (), name_fr: str = "", id: str | None = None) -> "Lexicon":
        """A new Lexicon with one more organisation."""
        row = {c: "" for c in ORG_COLUMNS}
        row.update(id=id or slug(name), name=name, acronyms="|".join(acronyms), type=type, country=country, aliases="|".join(aliases), name_fr=name_fr)
        return self.extend(organizations=pd.DataFrame([row]))

    def add_given_names(self, names: Iterable[str]) -> "Lexicon":
        """A new Lexicon in which these words open a person's name even without a title
        (see given_names.yaml)."""
        words = dict(self.name_words)
        words["given_names"] = words.get("given_names", frozenset()) | {str(n).strip() for n in names if str(n).strip()}
        return replace(self, name_words=words)

    def given_names(self) -> list[str]:
        """The words that open a person's name without a title: the first word of each
        name in ``people``, and ``given_names`` of given_names.yaml, less the words that
        are also everyday capitalised words (``not_given_names``, the generic capitalised
        words and titles of titles.yaml, ``capitalised_only`` of annotation.yaml). Sorted."""
        first = {str(n).split()[0] for n in self.people["name"] if str(n).split()}
        words = first | set(self.name_words.get("given_names", ()))
        block = {fold(w) for w in self.name_words.get("not_given_names", ())}
        block |= {fold(w) for w in self.generic_words} | {fold(t) for t in self.titles["title"]}
        block |= {fold(str(w)) for w in (self.settings or {}).get("capitalised_only", [])}
        keep = {w for w in words if len(w) > 1 and w[0].isupper() and not w.isupper() and w.replace("-", "").isalpha() and fold(w) not in block}
        return sorted(keep)

    def add_cues(self, target: str, cues: Iterable[str], lang: str = "en") -> "Lexicon":
        """A new Lexicon with more cues for a sector id or an event type id."""
        new = pd.DataFrame({"lang": lang, "cue": list(cues)})
        if target in set(self.sectors["id"]):
            return replace(self, sector_cues=pd.concat([self.sector_cues, new.assign(sector=target)[self.sector_cues.columns]], ignore_index=True))
        if target in set(self.events["id"]):
            return replace(self, event_cues=pd.concat([self.event_cues, new.assign(event_type=target)[self.event_cues.columns]], ignore_index=True))
        raise KeyError(f"{target!r} is neither a sector nor an event type id")

    # --- derived tables ----------------------------------------------------------------
    def labels(self, kind: str = "sectors", lang: str = "en") -> dict[str, str]:
        """Display labels of the sector or event type ids (``kind`` = "sectors" or
        "events"; ``lang`` = "en" or "fr"), for figure axes and tables."""
        table = {"sectors": self.sectors, "events": self.events}.get(kind)
        if table is None:
            raise ValueError(f"kind must be 'sectors' or 'events', not {kind!r}")
        col = "label_fr" if lang == "fr" and "label_fr" in table else "label"
        if col not in table:
            return {str(i): str(i) for i in table["id"]}
        return {str(i): str(l) if isinstance(l, str) and l else str(i) for i, l in zip(table["id"], table[col])}

    def entities(self) -> pd.DataFrame:
        """One row per entity: ``entity_id``, ``entity_type``, ``entity_name``, ``country``, ``detail``."""
        c = self.countries
        o = self.organizations
        p = self.people
        frames = [
            pd.DataFrame({"entity_id": c["id"], "entity_type": "country", "entity_name": c["name"], "country": c["id"], "detail": c["continent"]}),
            pd.DataFrame({"entity_id": o["id"], "entity_type": "organization", "entity_name": o["name"], "country": o["country"], "detail": o["type"]}),
            pd.DataFrame({"entity_id": p["id"], "entity_type": "person", "entity_name": p["name"], "country": p["country"], "detail": p["role"]}),
        ]
        ents = pd.concat(frames, ignore_index=True)
        dup = ents["entity_id"].duplicated(keep=False)
        if dup.any():
            raise ValueError(f"entity ids used twice across lexicon files: {', '.join(sorted(set(ents.loc[dup, 'entity_id'])))}")
        ents["country"] = ents["country"].replace("", None)
        return ents

    def terms(self) -> pd.DataFrame:
        """Every string the matcher looks for: ``term``, ``layer`` (entity, sector, event,
        title), ``kind`` (name, alias, acronym, capital, demonym, surname, cue, title),
        ``ref`` (entity id, sector id, event type or title) and ``case_sensitive``.
        (Worked out once per Lexicon, which is immutable; each call returns a copy.)"""
        cached = self.__dict__.get("_terms")
        if cached is None:
            cached = self._terms()
            object.__setattr__(self, "_terms", cached)
        return cached.copy()

    def _terms(self) -> pd.DataFrame:
        rows: list[tuple[str, str, str, str]] = []

        def add(terms: Iterable[str], layer: str, kind: str, ref: str) -> None:
            for t in terms:
                t = t.strip()
                if t:
                    k = "acronym" if kind in ("alias", "name") and layer == "entity" and is_acronym(t) and len(t) <= 8 else kind
                    rows.append((t, layer, k, ref))

        for r in self.countries.itertuples(index=False):
            add([r.name, r.name_fr], "entity", "name", r.id)
            add(_split(r.aliases), "entity", "alias", r.id)
            add(_split(r.demonyms), "entity", "demonym", r.id)
            add(_split(r.capitals), "entity", "capital", r.id)
            # A seat of government used for it ("the Kremlin said") works like a capital.
            add(_split(getattr(r, "seats", "")), "entity", "capital", r.id)
        for r in self.organizations.itertuples(index=False):
            add([r.name, r.name_fr], "entity", "name", r.id)
            add(_split(r.acronyms), "entity", "acronym", r.id)
            add(_split(r.aliases), "entity", "alias", r.id)
        for r in self.people.itertuples(index=False):
            add([r.name], "entity", "name", r.id)
            add(_split(r.aliases), "entity", "alias", r.id)
            add(_split(r.surname), "entity", "surname", r.id)
        for r in self.sector_cues.itertuples(index=False):
            add([r.cue], "sector", "cue", r.sector)
        for r in self.event_cues.itertuples(index=False):
            add([r.cue], "event", "cue", r.event_type)
        for r in self.titles.itertuples(index=False):
            add([r.title], "title", "title", r.title)
        # Names several countries share ("Congo"): one term per country, resolved per
        # story by the annotator (see shared_country_names in annotation.yaml).
        for group in shared_country_names(self.settings):
            for kind in ("alias", "demonym"):
                for ref in group["countries"]:
                    add(group[kind], "entity", kind, ref)
        # Names that contain an actor's name but are not that actor ("Indian Ocean",
        # "Latin America"): matched like entities so the longest match wins, then dropped.
        add([str(t) for t in (self.settings or {}).get("not_entities", [])], "entity", "blocker", "")
        df = pd.DataFrame(rows, columns=["term", "layer", "kind", "ref"]).drop_duplicates(ignore_index=True)
        df["case_sensitive"] = df["kind"].eq("acronym") | (df["layer"].eq("entity") & df["term"].map(is_acronym))
        return df

    def fingerprint(self) -> str:
        """Changes whenever any term, entity, generic word or rule setting changes; used to
        cache compiled matchers and to decide whether a build's stored tables still hold.
        (A Lexicon is immutable: computed once per object.)"""
        cached = self.__dict__.get("_fingerprint")
        if cached is not None:
            return cached
        h = hashlib.sha1()
        for df in (self.terms(), self.entities()):
            h.update(pd.util.hash_pandas_object(df, index=False).values.tobytes())
        # The rules' settings (annotation.yaml) and generic words change results too.
        h.update(json.dumps(self.settings or {}, sort_keys=True, ensure_ascii=False, default=str).encode())
        h.update("\n".join(sorted(self.generic_words)).encode())
        for k in sorted(self.name_words):
            h.update(("\n" + k + ":" + "\n".join(sorted(self.name_words[k]))).encode())
        # so does sector metadata such as needs_support (sectors.yaml)
        h.update(self.sectors.to_json(orient="records", force_ascii=False, default_handler=str).encode())
        digest = h.hexdigest()
        object.__setattr__(self, "_fingerprint", digest)
        return digest

    def __repr__(self) -> str:
        return (
            f"<Lexicon: {len(self.countries)} countries, {len(self.organizations)} organizations, {len(self.people)} people, "
            f"{len(self.sectors)} sectors ({len(self.sector_cues)} cues), {len(self.events)} event types ({len(self.event_cues)} cues)>"
        )


_DEFAULT: Lexicon | None = None


def shared_country_names(settings: dict | None) -> list[dict[str, list[str]]]:
    """The ``shared_country_names`` groups of annotation.yaml: ``countries``, and the
    ``alias`` and ``demonym`` terms they share (empty lists where not given)."""
    out = []
    for g in (settings or {}).get("shared_country_names") or []:
        out.append({k: [str(v) for v in g.get(k) or []] for k in ("countries", "alias", "demonym")})
    return out


def default_lexicon() -> Lexicon:
    """The bundled lexicons (loaded once per process)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Lexicon.load()
    return _DEFAULT
