"""jixiao: Chinese budget performance self-evaluation reports from yearly project data.

pandas 3 stores text columns in Arrow arrays whenever pyarrow is installed (jixiao installs it
for the Parquet export). jixiao keeps pandas' Python string storage instead: the parser and
the scoring engine are about 70 % slower on Arrow strings, and Arrow refuses text with lone
surrogates that a spreadsheet may hold. The setting is pandas' own option, set once here.
"""

import pandas as _pd

_pd.set_option("mode.string_storage", "python")
