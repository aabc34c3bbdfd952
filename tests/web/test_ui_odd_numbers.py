"""Numbers in URLs that name no row (too large, or digits int() cannot read) are 404 or ignored, never 500."""
import pytest


@pytest.mark.parametrize(("url", "status"), [
    ("/inbox?page=²", 200), ("/inbox?page=99999999999999999999999", 200), ("/handover/?hours=²", 200),
    ("/tasks/99999999999999", 404), ("/work-orders/99999999999999999", 404), ("/work-orders/²", 404),
])
def test_odd_numbers_in_urls_are_not_server_errors(flow, login_as, url, status):
    client = login_as("lead", "call_centre", "shift_lead")
    assert client.get(url).status_code == status
