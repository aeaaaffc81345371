"""Permission cases (ViewCase) and API cases (ApiCase) of planning's checks area."""

CASES: list = []
API_CASES: list = []
