"""diplokit: load, clean and annotate diplomatic news, and explore it in Jupyter."""
from .annotate import Annotations, annotate
from .corpus import Corpus
from .loader import DiplokitLoadWarning, LoadError, article_id, load_corpus

__all__ = ["Annotations", "annotate", "Corpus", "DiplokitLoadWarning", "LoadError", "article_id", "load_corpus",
           "SectorExplorer", "CooccurrenceExplorer", "ThemeExplorer"]
_EXPLORERS = ("SectorExplorer", "CooccurrenceExplorer", "ThemeExplorer")


def __getattr__(name: str):
    # The explorers pull in plotly and ipywidgets: import them on first use only.
    if name in _EXPLORERS:
        from . import explorers

        return getattr(explorers, name)
    raise AttributeError(f"module 'diplokit' has no attribute {name!r}")


__version__ = "0.1.0"
