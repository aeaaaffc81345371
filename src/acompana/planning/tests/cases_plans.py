"""Permission cases (ViewCase) and API cases (ApiCase) of planning's plans area."""

CASES: list = []
API_CASES: list = []
