"""Site registry: who is assessed and where their websites are.

``read_registry(path)`` reads a CSV/XLSX registry — canonical columns or the
national export as it is — into a :class:`RegistryReport`; ``import_registry``
also stores the units (``zwgk.storage.registry``).  See docs/registry.md.
"""

from zwgk.registry.importer import import_registry
from zwgk.registry.infer import infer
from zwgk.registry.reader import read_registry
from zwgk.registry.report import RegistryReport
from zwgk.registry.urls import normalise_url

__all__ = ["RegistryReport", "import_registry", "infer", "normalise_url", "read_registry"]
