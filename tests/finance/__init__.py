# Load every model in dependency order first: importing marketplace.audit.models on its own
# enters the accounts package halfway through its import (a cycle outside this area).
import marketplace.models  # noqa: F401
