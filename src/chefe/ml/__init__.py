"""Machine-learned interatomic potentials for a quick look before DFT (the optional ``chefe[ml]``).

Only models whose weights ship inside their PyPI package are offered by name (they run offline);
any other ASE calculator can be used through :class:`CustomModel`.
"""

from .models import MODELS, CustomModel, MLModel, calculator, error_text, model_error, model_record
from .quicklook import QuickLook, Settings, quicklook

__all__ = ["MODELS", "CustomModel", "MLModel", "QuickLook", "Settings", "calculator", "error_text",
           "model_error", "model_record", "quicklook"]
