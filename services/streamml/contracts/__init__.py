"""Message contracts shared by the producers and consumers of one workflow.

Services never import each other; they agree through these schemas (and the topic catalog).
"""
