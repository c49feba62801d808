"""The floor plan of docs/ARCHITECTURE.md, read from the code's own imports: an app imports only
apps on lower floors, no two files import each other in a circle, and imports inside functions
(which hide circles until run time) are the few listed below with their reason."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. An app may import the apps of lower floors only; apps on one floor ignore each
# other. `archipel` (the project package: settings, URL confs, ASGI, Celery) wires them all.
FLOORS = [
    ["core"],  # the kernel: identity, blocks, websocket plumbing, SMS, rate limits, errors
    ["tenants"],  # territories, domains, the geographic referential
    ["members"],  # memberships and roles, joining, one's data (tenants/members, label members)
    ["notifications"],  # the feed, e-mail choices, live push
    ["themes"],  # branding and per-territory settings
    ["matching"],  # road graphs, engine, places, search prefilter
    ["trips", "provisioning"],  # carpooling; creating, exporting and importing territories
    ["trust", "solidarity", "interop"],  # moderation and safety; solidarity; partners, standards
    ["observatory"],  # data returned to the authority
    ["incentives"],  # campaigns the authority funds, the ledger, statements and payouts
    ["demo"],  # the demo archipel
    ["archipel"],
]
FLOOR = {app: level for level, apps in enumerate(FLOORS) for app in apps}

# Imports inside functions, each for a reason an import at the top of the module cannot serve.
# `AppConfig.ready()` (apps.py) is where Django wants receivers connected: its imports pass.
LOCAL_IMPORTS: dict[str, dict[str, str]] = {
    # module: {imported module: reason}
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _app(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["tenants", "members"]:
        return "members"
    return parts[0] if parts[0] in FLOOR else None


def _sources() -> dict[str, Path]:
    found = {}
    for app in FLOOR:
        base = ROOT / app
        for path in base.rglob("*.py") if base.is_dir() else []:
            if "migrations" not in path.parts:
                found[_module(path)] = path
    return found


def _imports(module: str, path: Path, known: set[str]):
    """(imported module, line, inside a function) for every import of a project module."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            targets = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module or ""
                # `from trips import services` imports the module trips.services
                targets = [
                    f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                    for alias in child.names
                ]
            for target in targets:
                resolved = resolve(target)
                if resolved:
                    yield resolved, child.lineno, inner
            yield from visit(child, inner)

    yield from visit(ast.parse(path.read_text()), False)


SOURCES = _sources()
KNOWN = set(SOURCES)
GRAPH = {m: list(_imports(m, p, KNOWN)) for m, p in SOURCES.items()}


def test_apps_import_only_lower_floors():
    climbs = []
    for module, imports in GRAPH.items():
        here = _app(module)
        for target, line, _inner in imports:
            there = _app(target)
            if here and there and here != there and FLOOR[there] >= FLOOR[here]:
                climbs.append(f"{SOURCES[module].relative_to(ROOT)}:{line} imports {target}")
    assert not climbs, "imports that climb a floor:\n" + "\n".join(sorted(climbs))


def test_no_import_circle_between_files():
    edges = {m: {t for t, _line, _inner in imports if t != m} for m, imports in GRAPH.items()}
    # A package's __init__ is imported with any of its modules: ignore those edges.
    edges = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in edges.items()}
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def connect(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in edges:
        if node not in index:
            connect(node)
    assert not circles, f"files importing each other in a circle: {circles}"


def test_imports_inside_functions_are_the_listed_ones():
    unlisted = [
        f"{SOURCES[module].relative_to(ROOT)}:{line} imports {target}"
        for module, imports in GRAPH.items()
        for target, line, inner in imports
        if inner and not module.endswith(".apps") and target not in LOCAL_IMPORTS.get(module, {})
    ]
    assert not unlisted, "imports inside functions:\n" + "\n".join(sorted(unlisted))


def test_the_floor_plan_reads_the_code():
    """The check cannot pass vacuously: it sees every app and a known import."""
    assert {_app(m) for m in SOURCES} >= {"core", "trips", "matching", "observatory"}
    assert "matching.engine" in {t for t, _l, _i in GRAPH["trips.selectors"]}
