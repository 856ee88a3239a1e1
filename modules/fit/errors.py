"""The one error of model sizing: what in the config or a header cannot be sized, as one line."""


class ProfileError(ValueError):
    """The config or a header lacks what sizing needs, or uses what is not modelled; the message names the field."""
