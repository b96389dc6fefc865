import re
import unicodedata


def strip_markdown(text):
    text = re.sub(
        r"```.*?```", lambda m: m.group(0).strip("`").split("\n", 1)[-1], text, flags=re.S
    )
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^[ \t]{0,3}#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"^[ \t]{0,3}>\s?", "", text, flags=re.M)
    text = re.sub(r"^[ \t]*[-*+][ \t]+", "", text, flags=re.M)
    text = re.sub(r"^[ \t]*\d+\.[ \t]+", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__)(.*?)\1", r"\2", text)
    text = re.sub(r"(\*|_)(.*?)\1", r"\2", text)
    text = re.sub(r"~~(.*?)~~", r"\1", text)
    text = re.sub(r"^[ \t]*([-*_][ \t]*){3,}$", "", text, flags=re.M)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def markdown_to_text(ctx, items):
    p = ctx.params()
    out = []
    for item in items:
        data = dict(item["json"])
        data[p["output"]] = strip_markdown(str(data.get(p["field"]) or ""))
        out.append(data)
    return out


def slug(text, max_length):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:max_length].rstrip("-")


def slugify(ctx, items):
    p = ctx.params()
    out = []
    for item in items:
        data = dict(item["json"])
        data[p["output"]] = slug(str(data.get(p["field"]) or ""), p["max_length"])
        out.append(data)
    return out


def text_stats(ctx, items):
    p = ctx.params()
    out = []
    for item in items:
        text = str(item["json"].get(p["field"]) or "")
        words = re.findall(r"\b\w+\b", text)
        sentences = [s for s in re.split(r"[.!?]+", text) if s.strip()]
        minutes = len(words) / p["words_per_minute"]
        data = dict(item["json"])
        data["stats"] = {
            "words": len(words),
            "characters": len(text),
            "sentences": len(sentences),
            "reading_minutes": round(minutes, 1),
        }
        out.append(data)
    return out
