"""What the graph commands (`build_road_graph`, `build_map_tiles`) take alike."""

import re

from django.core.management.base import CommandError

GRAPH_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def add_graph_arguments(parser, name_option: str) -> None:
    """The extract, the graph's name (`--name` or `--graph`) and `--if-missing`."""
    parser.add_argument("file")
    parser.add_argument(name_option, required=True, help="graph name, e.g. andorra")
    parser.add_argument(
        "--if-missing", action="store_true", help="do nothing if it is already built"
    )


def graph_name_check(name: str) -> None:
    if not GRAPH_NAME.fullmatch(name):
        raise CommandError(f"Invalid graph name {name!r}: lower-case letters, digits, - and _.")
