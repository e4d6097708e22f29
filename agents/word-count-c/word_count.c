/* The word-count example agent in C: same request and answer as
 * agents/word-count (Rust). Words are runs of letters, digits and
 * apostrophes; bytes outside ASCII count as letters, and only ASCII is
 * lower-cased (the Rust agent uses Unicode classes).
 *
 * Build (see README.md):
 *   clang --target=wasm32-wasi -O2 -mexec-model=reactor \
 *         -Wl,-z,stack-size=65536 -o word-count-c.wasm word_count.c
 */
#include <stdio.h>

#include "caxton.h"

/* ---- a small JSON reader: just enough for the request ---- */

typedef struct {
    const char *s, *end;
} cursor;

static void ws(cursor *c) {
    while (c->s < c->end && (*c->s == ' ' || *c->s == '\n' || *c->s == '\r' || *c->s == '\t')) c->s++;
}

static int hex4(cursor *c, unsigned *out) {
    if (c->end - c->s < 4) return 0;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char h = *c->s++;
        v <<= 4;
        if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
        else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* Decode the string at the cursor into `out` (room for its raw length,
 * which is never shorter); NULL `out` only checks it. */
static int string(cursor *c, char *out, size_t *len) {
    size_t n = 0;
    if (c->s >= c->end || *c->s != '"') return 0;
    c->s++;
    while (c->s < c->end) {
        unsigned char ch = (unsigned char)*c->s++;
        if (ch == '"') {
            if (len) *len = n;
            return 1;
        }
        if (ch < 0x20) return 0;
        if (ch != '\\') {
            if (out) out[n] = (char)ch;
            n++;
            continue;
        }
        if (c->s >= c->end) return 0;
        char e = *c->s++;
        unsigned cp;
        switch (e) {
            case '"': case '\\': case '/': cp = (unsigned)e; break;
            case 'b': cp = '\b'; break;
            case 'f': cp = '\f'; break;
            case 'n': cp = '\n'; break;
            case 'r': cp = '\r'; break;
            case 't': cp = '\t'; break;
            case 'u': {
                if (!hex4(c, &cp)) return 0;
                if (cp >= 0xDC00 && cp < 0xE000) return 0;
                if (cp >= 0xD800 && cp < 0xDC00) {
                    unsigned lo;
                    if (c->end - c->s < 2 || c->s[0] != '\\' || c->s[1] != 'u') return 0;
                    c->s += 2;
                    if (!hex4(c, &lo) || lo < 0xDC00 || lo >= 0xE000) return 0;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                break;
            }
            default: return 0;
        }
        char buf[4];
        size_t k;
        if (cp < 0x80) { buf[0] = (char)cp; k = 1; }
        else if (cp < 0x800) { buf[0] = (char)(0xC0 | cp >> 6); buf[1] = (char)(0x80 | (cp & 0x3F)); k = 2; }
        else if (cp < 0x10000) { buf[0] = (char)(0xE0 | cp >> 12); buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); buf[2] = (char)(0x80 | (cp & 0x3F)); k = 3; }
        else { buf[0] = (char)(0xF0 | cp >> 18); buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F)); buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); buf[3] = (char)(0x80 | (cp & 0x3F)); k = 4; }
        if (out) memcpy(out + n, buf, k);
        n += k;
    }
    return 0;
}

/* Skip any value; nesting is bounded. */
static int value(cursor *c, int depth) {
    ws(c);
    if (c->s >= c->end || depth > 128) return 0;
    char open = *c->s;
    if (open == '"') return string(c, NULL, NULL);
    if (open == '{' || open == '[') {
        char close = open == '{' ? '}' : ']';
        c->s++;
        ws(c);
        if (c->s < c->end && *c->s == close) { c->s++; return 1; }
        for (;;) {
            if (open == '{') {
                ws(c);
                if (!string(c, NULL, NULL)) return 0;
                ws(c);
                if (c->s >= c->end || *c->s++ != ':') return 0;
            }
            if (!value(c, depth + 1)) return 0;
            ws(c);
            if (c->s >= c->end) return 0;
            char sep = *c->s++;
            if (sep == close) return 1;
            if (sep != ',') return 0;
        }
    }
    const char *start = c->s;
    while (c->s < c->end && strchr("-+.eE0123456789truefalsn", *c->s)) c->s++;
    return c->s > start;
}

/* Find `key` in the object at the cursor: 1 and the cursor on its value,
 * 0 if absent, -1 if the JSON is malformed. */
static int member(cursor obj, const char *key, cursor *found) {
    cursor c = obj;
    ws(&c);
    if (c.s >= c.end || *c.s != '{') return -1;
    c.s++;
    ws(&c);
    if (c.s < c.end && *c.s == '}') return 0;
    for (;;) {
        ws(&c);
        size_t klen;
        char name[64];
        cursor probe = c;
        if (!string(&probe, NULL, &klen)) return -1;
        int match = 0;
        if (klen == strlen(key) && klen < sizeof name) {
            string(&c, name, &klen);
            match = memcmp(name, key, klen) == 0;
        } else {
            c = probe;
        }
        ws(&c);
        if (c.s >= c.end || *c.s++ != ':') return -1;
        ws(&c);
        if (match) { *found = c; return 1; }
        if (!value(&c, 1)) return -1;
        ws(&c);
        if (c.s >= c.end) return -1;
        char sep = *c.s++;
        if (sep == '}') return 0;
        if (sep != ',') return -1;
    }
}

/* ---- the answer ---- */

typedef struct {
    char *p;
    size_t len, cap;
} buffer;

static void put(buffer *b, const char *s, size_t n) {
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_(buffer *b, const char *s) { put(b, s, strlen(s)); }

static void put_json_string(buffer *b, const char *s, size_t n) {
    put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') { put(b, "\\", 1); put(b, s + i, 1); }
        else if (ch < 0x20) { char e[8]; snprintf(e, sizeof e, "\\u%04x", ch); puts_(b, e); }
        else put(b, s + i, 1);
    }
    put(b, "\"", 1);
}

static caxton_output error(const char *message) {
    buffer b = {0};
    puts_(&b, "{\"error\":");
    put_json_string(&b, message, strlen(message));
    puts_(&b, "}");
    return (caxton_output){b.p, b.len};
}

typedef struct {
    const char *word;
    size_t len;
    uint64_t count;
} entry;

static int is_word(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '\'' || ch >= 0x80;
}

static int by_count(const void *x, const void *y) {
    const entry *a = x, *b = y;
    if (a->count != b->count) return a->count < b->count ? 1 : -1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->word, b->word, n);
    if (c) return c;
    return (a->len > b->len) - (a->len < b->len);
}

static caxton_output count(char *text, size_t len, uint64_t top) {
    for (size_t i = 0; i < len; i++)
        if (text[i] >= 'A' && text[i] <= 'Z') text[i] = (char)(text[i] - 'A' + 'a');
    /* open addressing, grown at 50 % load */
    size_t cap = 64, unique = 0;
    entry *table = calloc(cap, sizeof *table);
    uint64_t words = 0, chars = 0, lines = 0;
    for (size_t i = 0; i < len;) {
        if (!is_word((unsigned char)text[i])) { i++; continue; }
        size_t start = i;
        while (i < len && is_word((unsigned char)text[i])) i++;
        words++;
        if (2 * (unique + 1) > cap) {
            entry *old = table;
            size_t old_cap = cap;
            cap *= 2;
            table = calloc(cap, sizeof *table);
            for (size_t k = 0; k < old_cap; k++) {
                if (!old[k].word) continue;
                uint32_t h = 2166136261u;
                for (size_t j = 0; j < old[k].len; j++) h = (h ^ (unsigned char)old[k].word[j]) * 16777619u;
                size_t at = h & (cap - 1);
                while (table[at].word) at = (at + 1) & (cap - 1);
                table[at] = old[k];
            }
            free(old);
        }
        uint32_t h = 2166136261u;
        for (size_t j = start; j < i; j++) h = (h ^ (unsigned char)text[j]) * 16777619u;
        size_t at = h & (cap - 1);
        while (table[at].word && !(table[at].len == i - start && memcmp(table[at].word, text + start, i - start) == 0))
            at = (at + 1) & (cap - 1);
        if (!table[at].word) {
            table[at] = (entry){text + start, i - start, 0};
            unique++;
        }
        table[at].count++;
    }
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80) chars++;
        if (text[i] == '\n') lines++;
    }
    if (len > 0 && text[len - 1] != '\n') lines++;
    entry *ranked = malloc((unique ? unique : 1) * sizeof *ranked);
    size_t n = 0;
    for (size_t k = 0; k < cap; k++)
        if (table[k].word) ranked[n++] = table[k];
    qsort(ranked, n, sizeof *ranked, by_count);
    if (top > 100) top = 100;
    if (top > n) top = n;

    buffer b = {0};
    char num[96];
    snprintf(num, sizeof num, "{\"words\":%llu,\"lines\":%llu,\"characters\":%llu,\"unique_words\":%llu,\"top_words\":[",
             (unsigned long long)words, (unsigned long long)lines, (unsigned long long)chars, (unsigned long long)unique);
    puts_(&b, num);
    for (size_t k = 0; k < top; k++) {
        puts_(&b, k ? ",{\"word\":" : "{\"word\":");
        put_json_string(&b, ranked[k].word, ranked[k].len);
        snprintf(num, sizeof num, ",\"count\":%llu}", (unsigned long long)ranked[k].count);
        puts_(&b, num);
    }
    puts_(&b, "]}");
    snprintf(num, sizeof num, "counted %llu words", (unsigned long long)words);
    caxton_log(CAXTON_INFO, num);
    free(ranked);
    free(table);
    return (caxton_output){b.p, b.len};
}

static caxton_output handle(const char *request, size_t len) {
    cursor all = {request, request + len}, input, field;
    cursor check = all;
    if (!value(&check, 0) || (ws(&check), check.s != check.end)) return error("bad request: not a JSON object");
    int found = member(all, "input", &input);
    if (found < 0) return error("bad request: not a JSON object");
    if (found == 0) return error("bad request: missing field `input`");
    uint64_t top = 5;
    if (*input.s == '{') {
        if (member(input, "top", &field) == 1) {
            const char *d = field.s;
            uint64_t v = 0;
            while (d < input.end && *d >= '0' && *d <= '9' && v < 1000000) v = v * 10 + (uint64_t)(*d++ - '0');
            int fraction = d < input.end && (*d == '.' || *d == 'e' || *d == 'E');
            if (d > field.s && !fraction) top = v;
        }
        if (member(input, "text", &field) != 1 || *field.s != '"') return error("input.text must be a string");
        input = field;
    } else if (*input.s != '"') {
        return error("input must be a string or {\"text\": ...}");
    }
    char *text = malloc((size_t)(input.end - input.s) + 1);
    size_t text_len;
    if (!string(&input, text, &text_len)) {
        free(text);
        return error("bad request: invalid string");
    }
    caxton_output out = count(text, text_len, top);
    free(text);
    return out;
}

CAXTON_HANDLER(handle)
