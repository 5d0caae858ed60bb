"""Helpers shared by the tests. Test modules import them from here, never from one another.

- auth: the test password, logging in, two-step codes, CSRF tokens.
- db: building and emptying the schema, queries in an app context, counting rows and statements.
- audit: the access log's rows.
- form_data: what the session and plan forms post.
- form_classes: every form class of the app and its fields.
- integrity: saving sessions through the service layer, for the load tests.
- destruction: a family with a row in every table.
- charts: progress data for the figures.
- routes: the access table of every route.
- browser: logging in and axe-core in Playwright.
"""
