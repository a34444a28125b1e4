import os
from typing import Any, Dict, Optional, Union

import mizan

def spark_schema(rubric: mizan.Rubric) -> Any: ...
def score(
    df: Any,
    rubric: Union[mizan.Rubric, str, "os.PathLike[str]"],
    *,
    json_column: Optional[str] = ...,
) -> Any: ...
def population(
    scored: Any, rubric: Union[mizan.Rubric, str, "os.PathLike[str]"], *, lang: str = ...
) -> Dict[str, Any]: ...
