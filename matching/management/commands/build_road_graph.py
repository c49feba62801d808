import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context
from tqdm import tqdm

from matching.build import GraphBuildError
from matching.graphs import graph_build, graph_path
from matching.management.arguments import add_graph_arguments, graph_name_check
from matching.models import RoadGraphRecord

STAGES = [
    "filtering drivable roads",
    "building the graph (osmnx)",
    "ordering the nodes for the contraction hierarchy",
    "writing arrays",
    "indexing places",
]


class Command(BaseCommand):
    help = "Build a road graph from an OSM extract (.osm, .osm.gz, .osm.bz2, .pbf)."

    def add_arguments(self, parser):
        add_graph_arguments(parser, "--name")

    def handle(self, *args, file, name, if_missing, **options):
        graph_name_check(name)
        with schema_context("public"):
            if (
                if_missing
                and graph_path(name).exists()
                and RoadGraphRecord.objects.filter(name=name).exists()
            ):
                self.stdout.write(f"Road graph {name} already built.")
                return
            bar = tqdm(total=len(STAGES), desc=f"graph {name}", unit="stage", file=sys.stderr)

            def progress(stage: str) -> None:
                bar.set_postfix_str(stage)
                if stage != STAGES[0]:
                    bar.update(1)

            try:
                summary = graph_build(Path(file), name, progress)
            except GraphBuildError as exc:
                bar.close()
                raise CommandError(
                    f"{exc}. The previous graph {name!r}, if any, stays in use."
                ) from exc
            bar.update(1)
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(f"Road graph {name}: {summary.nodes} nodes, {summary.edges} edges.")
        )
