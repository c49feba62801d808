import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from matching.management.arguments import add_graph_arguments, graph_name_check
from matching.maps import tiles_build, tiles_path
from matching.tiles import TilesBuildError


class Command(BaseCommand):
    help = (
        "Build the base map's vector tiles of a road graph from its OSM extract "
        "(.osm, .osm.gz, .osm.bz2, .pbf) with osmium-tool and tilemaker."
    )

    def add_arguments(self, parser):
        add_graph_arguments(parser, "--graph")

    def handle(self, *args, file, graph, if_missing, **options):
        graph_name_check(graph)
        if if_missing and tiles_path(graph).exists():
            self.stdout.write(f"Map tiles of {graph} already built.")
            return
        bar = tqdm(desc=f"map tiles {graph}", unit="tile", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            summary = tiles_build(Path(file), graph, progress)
        except TilesBuildError as exc:
            bar.close()
            raise CommandError(
                f"{exc}. The previous tiles of {graph!r}, if any, stay in use."
            ) from exc
        bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Map tiles of {graph}: {summary.tiles} tiles, {summary.size / 1e6:.1f} MB,"
                f" {summary.seconds:.1f} s."
            )
        )
