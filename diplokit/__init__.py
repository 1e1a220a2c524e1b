"""diplokit: load, clean and annotate diplomatic news, and explore it in Jupyter."""
from .annotate import Annotations, annotate
from .corpus import Corpus
from .loader import DiplokitLoadWarning, LoadError, article_id, load_corpus

__all__ = ["Annotations", "annotate", "Corpus", "DiplokitLoadWarning", "LoadError", "article_id", "load_corpus"]
__version__ = "0.1.0"
