"""`{% sri 'js/forum.js' %}`: the integrity value of a static file, for the tag that loads it.

<script src="{% static 'js/forum.js' %}" integrity="{% sri 'js/forum.js' %}" crossorigin="anonymous"
        nonce="{{ request.csp_nonce }}"></script>
"""

from django import template

from kei_community.core.sri import integrity

register = template.Library()


@register.simple_tag
def sri(path: str) -> str:
    return integrity(path)
