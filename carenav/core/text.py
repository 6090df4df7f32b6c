import unicodedata


def fold(text: str) -> str:
    """Lower-case, accent-free form used for name search ("Muñoz" → "munoz")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()
