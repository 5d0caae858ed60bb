def pass_second_factor(client) -> None:
    """Mark the client's login as past the second step (see app.decorators.second_factor_required).

    Stands in for the auth branch's real second step; the integrator adapts it at merge.
    """
    with client.session_transaction() as session:
        session["second_factor"] = True
