"""Checks for schemathesis runs against the consent API (loaded by schemathesis.toml).

A schema-valid change may still be refused for the change's own sake: its
If-Match names another version (412 stale_version), or a consent rule says
no (422 notice_not_accepted, notice_language_unavailable, region_ineligible,
contact_not_applicable, idempotency_key_reused). A schema cannot promise otherwise, so the
configuration lets positive_data_acceptance pass 412 and 422 for the change
route; this check makes sure such a refusal is one of those and never a
complaint about the request's shape (invalid_body), which would mean the
document admits a request the server cannot read.
"""

import schemathesis

def positive_refusal(case, response, operation, statuses):
    """The problem body of a refusal with one of `statuses` of a schema-valid
    request to `operation` (method, path); None for anything else."""
    if (case.method.upper(), case.operation.path) != operation:
        return None
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in statuses:
        return None
    try:
        return response.json()
    except Exception:  # noqa: BLE001 - any unreadable body is a failure here
        return {}


CHANGE = ("PUT", "/api/v1/tenants/{tenant_id}/data-sharing/{program_id}")

ALLOWED_REFUSALS = {
    412: {"stale_version"},
    422: {
        "notice_not_accepted",
        # A generated language tag is almost never one a notice is published in.
        "notice_language_unavailable",
        "region_ineligible",
        "contact_not_applicable",
        "idempotency_key_reused",
    },
}


@schemathesis.check
def change_refusals_are_about_the_change(ctx, response, case):
    """A schema-valid change is refused only for concurrency or a consent rule."""
    problem = positive_refusal(case, response, CHANGE, ALLOWED_REFUSALS)
    if problem is None:
        return None
    allowed = ALLOWED_REFUSALS[response.status_code]
    code = problem.get("code")
    if code not in allowed:
        raise AssertionError(
            f"A schema-valid change was refused with {response.status_code} `{code}`; "
            f"only {', '.join(sorted(allowed))} may refuse a well-formed change"
        )
    return None


NOTICE = ("POST", "/api/v1/dev/notices")

# What a schema-valid notice may still be refused for: what is already
# published (the field each refusal names), or a section id used twice.
CATALOG_REFUSALS = {
    "version": "already published",
    "language": "text; publish that first",
    "sections": "appears twice",
}


@schemathesis.check
def dev_notice_refusals_are_about_the_catalog(ctx, response, case):
    """A schema-valid notice is refused only for what the schema cannot state."""
    problem = positive_refusal(case, response, NOTICE, (422,))
    if problem is None:
        return None
    field = problem.get("field")
    detail = problem.get("detail") or ""
    expected = CATALOG_REFUSALS.get(field)
    if problem.get("code") != "invalid_body" or expected is None or expected not in detail:
        raise AssertionError(
            f"A schema-valid notice was refused: field `{field}`, {detail!r}; the schema "
            "should state that check, or only what is already published may refuse it"
        )
    return None


DOCUMENT = ("GET", "/api/v1/tenants/{tenant_id}/data-sharing")

# What a well-formed `at` may still be refused for: a moment the ledger
# cannot answer for.
INSTANT_REFUSALS = ("in the future", "registered after")


@schemathesis.check
def as_of_refusals_are_about_the_instant(ctx, response, case):
    """A well-formed `at` is refused only for a future or pre-registration instant."""
    problem = positive_refusal(case, response, DOCUMENT, (422,))
    if problem is None:
        return None
    detail = problem.get("detail") or ""
    if (
        problem.get("code") != "invalid_query"
        or problem.get("field") != "at"
        or not any(reason in detail for reason in INSTANT_REFUSALS)
    ):
        raise AssertionError(
            f"A well-formed request for the document was refused: {problem!r}; only an "
            "instant in the future or before the tenant was registered may be"
        )
    return None
