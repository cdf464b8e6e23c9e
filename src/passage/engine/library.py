"""Loading rulebook folders into a Library, and every check that makes a rulebook safe to run.

A Library is the set of rulebooks evaluated together (rules may refer across rulebooks as
`rulebook.rule`). Loading checks that every fact referred to is declared, every parameter and source
exists, every text exists in all four languages, no rule depends on itself, and every status an option can
produce is one it declares. Each error names the file and the key. Each rulebook gets a content hash
(rules, parameters, sources, texts) for receipts.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from passage.engine.errors import RulebookError
from passage.engine.expressions import (
    Const,
    EarliestDate,
    Expr,
    Fact,
    If,
    LawUnknown,
    Param,
    Present,
    Ref,
)
from passage.engine.facts import FactSpec, load_fact_catalog
from passage.engine.parameters import ParameterSet, load_parameter_file
from passage.engine.rulebook import Option, Rule, RulebookDefinition
from passage.engine.sources import SourceRegistry
from passage.engine.texts import PLACEHOLDER, TextCatalog

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: several times faster


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """A safe loader whose impossible dates (2023-02-30) stay text, so the validator that reads them can
    name the field instead of YAML raising a bare ValueError.

    Plain maps, lists and text (nearly every node of the rulebooks' texts, data and parameters) are built
    by one direct recursion instead of PyYAML's general constructor, which goes through generators and
    bookkeeping for recursive structures the rulebooks never have: loading every rulebook is mostly
    YAML, and this halves its construction. Any other node (numbers, dates, booleans, merge keys) goes to
    the safe constructor as before, so the data built is the same.
    """

    def construct_document(self, node: yaml.Node) -> object:
        return self._build(node)

    def _build(self, node: yaml.Node) -> object:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _MAP and not any(key.tag == "tag:yaml.org,2002:merge" for key, _ in node.value):
            mapping = {}
            for key_node, value_node in node.value:
                key = self._build(key_node)
                if not isinstance(key, Hashable):  # as the safe constructor says it
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
                    )
                mapping[key] = self._build(value_node)
            return mapping
        if tag == _SEQ:
            return [self._build(item) for item in node.value]
        return super().construct_document(node)


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
# YAML 1.1 reads on/off/yes/no as booleans, so a scenario's `on:` key would become True. Only true/false
# are booleans here.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            # _Loader subclasses CSafeLoader/SafeLoader: no arbitrary objects are constructed.
            return yaml.load(handle, Loader=_Loader)  # noqa: S506  # nosec B506
    except yaml.YAMLError as error:  # malformed YAML: name the line
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise RulebookError(str(path), where, f"malformed YAML: {getattr(error, 'problem', error)}") from None
    except RecursionError:  # hundreds of levels: no rulebook file is like that
        raise RulebookError(str(path), "(file)", "malformed YAML: nested too deeply") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RulebookError(str(path), "(file)", f"cannot be read: {error}") from None


@dataclass(eq=False)
class Rulebook:
    name: str
    path: Path
    definition: RulebookDefinition
    rules: dict[str, Rule]  # by local name
    parameters: ParameterSet  # ids qualified "<rulebook>.<file>.<key>"
    texts: TextCatalog
    facts: dict[str, FactSpec]  # declared by this rulebook (in addition to the subject catalog)
    content_hash: str = ""

    @property
    def subject(self) -> str:
        return self.definition.subject

    @property
    def version(self) -> str:
        return self.definition.version

    @property
    def options(self) -> tuple[Option, ...]:
        return self.definition.options


@dataclass(eq=False)  # compared and hashed by identity: one loaded set of rulebooks
class Library:
    rulebooks: dict[str, Rulebook]
    sources: SourceRegistry
    facts: dict[str, dict[str, FactSpec]]  # subject -> fact name -> spec
    parameters: ParameterSet = field(default_factory=ParameterSet)

    def for_subject(self, subject: str) -> list[Rulebook]:
        return [rb for rb in self.rulebooks.values() if rb.subject == subject]

    def subjects(self) -> list[str]:
        return sorted({rb.subject for rb in self.rulebooks.values()} | set(self.facts))

    def rule(self, qualified: str) -> tuple[Rulebook, Rule]:
        book, _, name = qualified.partition(".")
        return self.rulebooks[book], self.rulebooks[book].rules[name]

    def qualify_rule(self, scope: str, name: str) -> str:
        """`name` as written in rulebook `scope`, made `rulebook.rule`."""
        head, dot, _ = name.partition(".")
        if dot and head in self.rulebooks:
            return name
        return f"{scope}.{name}"

    def qualify_param(self, scope: str, param_id: str) -> str:
        """`param_id` as written in rulebook `scope`: its own parameter, else another rulebook's."""
        local = f"{scope}.{param_id}"
        return local if local in self.rulebooks[scope].parameters else param_id

    def option(self, option_id: str) -> tuple[Rulebook, Option]:
        for rulebook in self.rulebooks.values():
            for option in rulebook.options:
                if option.id == option_id:
                    return rulebook, option
        raise KeyError(option_id)


def load_library(folders: Iterable[Path], fact_catalogs: Iterable[Path] = ()) -> Library:
    """Load and check the rulebooks in `folders`, with the subject fact catalogs (`<subject>.yaml`)."""
    sources = SourceRegistry()
    facts: dict[str, dict[str, FactSpec]] = {}
    for catalog_path in fact_catalogs:
        facts.setdefault(catalog_path.stem, {}).update(load_fact_catalog(catalog_path, read_yaml(catalog_path)))
    rulebooks: dict[str, Rulebook] = {}
    for folder in folders:
        rulebook = _load_rulebook(folder, sources)
        if rulebook.name in rulebooks:
            raise RulebookError(str(folder), rulebook.name, "two rulebooks with one name")
        rulebooks[rulebook.name] = rulebook
        subject_facts = facts.setdefault(rulebook.subject, {})
        for name, spec in rulebook.facts.items():
            if name in subject_facts and subject_facts[name] != spec:
                raise RulebookError(spec.file, name, f"fact already declared differently in {subject_facts[name].file}")
            subject_facts[name] = spec
    library = Library(rulebooks, sources, facts)
    for rulebook in rulebooks.values():
        for parameter in rulebook.parameters.values():
            library.parameters.add(parameter)
    for rulebook in rulebooks.values():
        _check(library, rulebook)
    _check_cycles(library)
    return library


def _load_rulebook(folder: Path, sources: SourceRegistry) -> Rulebook:
    name = folder.name
    rules_file = folder / "rules.py"
    if not rules_file.is_file():
        raise RulebookError(str(folder), "rules.py", "a rulebook folder needs a rules.py")
    definition = _import_definition(rules_file, name)
    if (folder / "sources.yaml").is_file():
        sources.load(read_yaml(folder / "sources.yaml"), str(folder / "sources.yaml"))
    parameters = ParameterSet()
    for path in sorted((folder / "parameters").glob("*.yaml")):
        for parameter in load_parameter_file(path, read_yaml(path), prefix=f"{name}."):
            parameters.add(parameter)
    texts = TextCatalog()
    if (folder / "texts.yaml").is_file():
        texts.load(folder / "texts.yaml", read_yaml(folder / "texts.yaml"))
    facts = load_fact_catalog(folder / "facts.yaml", read_yaml(folder / "facts.yaml")) if (
        folder / "facts.yaml"
    ).is_file() else {}
    rules: dict[str, Rule] = {}
    for rule in definition.rules:
        if rule.name in rules:
            raise RulebookError(str(rules_file), rule.name, "rule defined twice")
        rules[rule.name] = rule
    return Rulebook(name, folder, definition, rules, parameters, texts, facts, _content_hash(folder))


def _import_definition(rules_file: Path, name: str) -> RulebookDefinition:
    module_name = f"passage_rulebook_{name}"
    spec = importlib.util.spec_from_file_location(module_name, rules_file)
    if spec is None or spec.loader is None:
        raise RulebookError(str(rules_file), "(module)", "cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    definition = getattr(module, "DEFINITION", None)
    if not isinstance(definition, RulebookDefinition):
        raise RulebookError(str(rules_file), "DEFINITION", "must be a RulebookDefinition")
    return definition


def _content_hash(folder: Path) -> str:
    """SHA-256 over the files that decide outcomes (not the scenario tests), in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or relative.parts[0] in ("tests", "__pycache__") or path.suffix == ".pyc":
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# Checks ----------------------------------------------------------------------------------------
def _check(library: Library, rulebook: Rulebook) -> None:
    rules_file = str(rulebook.path / "rules.py")
    facts = library.facts.get(rulebook.subject, {})
    texts = rulebook.texts
    name = rulebook.name

    def need_text(key: str, where: str) -> None:
        if key not in texts:
            raise RulebookError(str(rulebook.path / "texts.yaml"), key, f"missing (needed by {where})")
        for placeholder in PLACEHOLDER.findall(texts[key]["en"]):
            if not _resolvable(library, rulebook, placeholder, facts):
                raise RulebookError(
                    texts.file_of(key), key, f"{{{placeholder}}} is not a fact, rule or parameter of {name}"
                )

    def need_sources(ids: Iterable[str], where: str, required: bool = True) -> None:
        ids = tuple(ids)
        if required and not ids:
            raise RulebookError(rules_file, where, "cites no source")
        for source_id in ids:
            if source_id not in library.sources:
                raise RulebookError(rules_file, where, f"cites unknown source {source_id!r}")

    def check_expr(expr: Expr, where: str, scalar_only: bool = False) -> None:
        for node in expr.walk():
            if isinstance(node, Fact | Present):
                spec = facts.get(node.name)
                if spec is None:
                    raise RulebookError(rules_file, where, f"uses undeclared fact {node.name!r}")
                if isinstance(node, Present) and not spec.nullable:
                    raise RulebookError(
                        rules_file, where, f"asks whether {node.name!r} is present, but it is not nullable"
                    )
            elif isinstance(node, Param):
                if library.qualify_param(name, node.id) not in library.parameters:
                    raise RulebookError(rules_file, where, f"uses unknown parameter {node.id!r}")
            elif isinstance(node, Ref):
                qualified = library.qualify_rule(name, node.name)
                book, _, local = qualified.partition(".")
                if book not in library.rulebooks or local not in library.rulebooks[book].rules:
                    raise RulebookError(rules_file, where, f"refers to unknown rule {node.name!r}")
                if book != name and book not in rulebook.definition.depends_on:
                    raise RulebookError(rules_file, where, f"refers to {book} without declaring depends_on")
            elif isinstance(node, LawUnknown):
                need_text(node.key, where)
            elif isinstance(node, EarliestDate) and not scalar_only:
                raise RulebookError(rules_file, where, "earliest_date may only be used in an option's values")

    for derivation in rulebook.definition.derivations:
        need_sources(derivation.sources, f"derivation {derivation.facts}")
        for derived in derivation.facts:
            if derived not in facts or not facts[derived].derived:
                raise RulebookError(rules_file, derived, "a derived fact must be declared with derived: true")
        for source_fact in derivation.inputs:
            if source_fact not in facts:
                raise RulebookError(rules_file, source_fact, "derivation input is not a declared fact")
    for parameter in rulebook.parameters.values():
        for period in parameter.periods:
            if period.source not in library.sources:
                raise RulebookError(parameter.file, parameter.id, f"cites unknown source {period.source!r}")
    for rule in rulebook.rules.values():
        where = f"rule {rule.name}"
        need_sources(rule.sources, where)
        check_expr(rule.expr, where)
        if rule.kind == "condition":
            need_text(f"{rule.text_key}.held", where)
            need_text(f"{rule.text_key}.failed", where)
    seen: set[str] = set()
    for option in rulebook.options:
        where = f"option {option.id}"
        if option.id in seen:
            raise RulebookError(rules_file, option.id, "option defined twice")
        seen.add(option.id)
        need_sources(option.sources, where)
        need_text(option.title_key, where)
        check_expr(option.status, where)
        for status in _constant_outcomes(option.status):
            if status not in option.statuses:
                raise RulebookError(rules_file, where, f"status {status!r} is not among {option.statuses}")
        if option.unknown_status not in option.statuses:
            raise RulebookError(rules_file, where, f"unknown_status {option.unknown_status!r} not declared")
        for fee in option.fees:
            need_text(fee.key, where)
            check_expr(fee.amount, f"{where} fee {fee.key}")
            check_expr(fee.when, f"{where} fee {fee.key}")
        for notice in (*option.documents, *option.warnings):
            need_text(notice.key, where)
            need_sources(notice.sources, f"{where} {notice.key}", required=False)
            check_expr(notice.when, f"{where} {notice.key}")
        for deadline in option.deadlines:
            need_text(deadline.key, where)
            need_sources(deadline.sources, f"{where} deadline {deadline.id}", required=False)
            check_expr(deadline.date, f"{where} deadline {deadline.id}")
            check_expr(deadline.when, f"{where} deadline {deadline.id}")
        for value_name, expr in option.values.items():
            check_expr(expr, f"{where} value {value_name}", scalar_only=True)


def _resolvable(library: Library, rulebook: Rulebook, placeholder: str, facts: dict[str, FactSpec]) -> bool:
    if placeholder == "on" or placeholder in facts:
        return True
    qualified = library.qualify_rule(rulebook.name, placeholder)
    book, _, local = qualified.partition(".")
    if book in library.rulebooks and local in library.rulebooks[book].rules:
        return True
    return library.qualify_param(rulebook.name, placeholder) in library.parameters


def _constant_outcomes(expr: Expr) -> list[str]:
    """The string constants an option's status expression can produce (its leaves through If)."""
    if isinstance(expr, If):
        return _constant_outcomes(expr.then) + _constant_outcomes(expr.otherwise)
    if isinstance(expr, Const) and isinstance(expr.value, str):
        return [expr.value]
    return []


def _check_cycles(library: Library) -> None:
    graph: dict[str, list[str]] = {}
    for rulebook in library.rulebooks.values():
        for rule in rulebook.rules.values():
            deps = [
                library.qualify_rule(rulebook.name, node.name) for node in rule.expr.walk() if isinstance(node, Ref)
            ]
            graph[f"{rulebook.name}.{rule.name}"] = deps
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in graph.get(node, []):
            if state.get(dep) == 1:
                cycle = " -> ".join([*path[path.index(dep):], dep]) if dep in path else f"{node} -> {dep}"
                book = node.partition(".")[0]
                raise RulebookError(str(library.rulebooks[book].path / "rules.py"), node, f"rule cycle: {cycle}")
            if state.get(dep) != 2:
                visit(dep, [*path, dep])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])
