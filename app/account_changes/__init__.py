"""Account changes waiting for a second person: the lead's and the administrator's pages (issue 15).

Their own blueprint, not part of app/admin: team leads confirm here, and leads must never open
/admin (those pages answer them 404); nor is it a family page. Both roles see the same list and page,
each limited by app.services.account_changes.change_or_404.
"""

from app.account_changes.routes import bp

__all__ = ["bp"]
