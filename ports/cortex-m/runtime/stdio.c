/* Minimal heap-free stdio for tinymlp firmware, on top of Arm semihosting.
 *
 * newlib's stdio allocates: stream buffers (__smakebuf_r), extra FILE objects (__sfp) and the
 * big integers of its float formatting (_dtoa_r/Balloc) all come from malloc, so any printf
 * would link the heap. This file defines the stdio functions that tinymlp's tests use, so the
 * linker never pulls newlib's stdio objects:
 *
 *   output: printf fprintf vprintf vfprintf sprintf snprintf vsprintf vsnprintf
 *           puts fputs putchar putc fputc fwrite fflush setvbuf setbuf
 *   files:  fopen fclose fread fgetc getc getchar ungetc fgets fseek ftell rewind
 *           feof ferror clearerr remove tmpfile
 *
 * Files are host files opened through SYS_OPEN (QEMU -semihosting-config target=native):
 * absolute host paths work, relative ones are relative to QEMU's working directory.
 * stdout is line buffered in a static buffer; stderr is written at the end of each call.
 * At most TINYMLP_STDIO_FILES - 3 user files are open at once. tmpfile() creates a host file
 * named by SYS_TMPNAM and removes it at fclose().
 *
 * Format support: flags "-+ #0", width and precision (also '*'), length modifiers
 * hh h l ll j z t L, conversions d i u o x X c s p n % and f F e E g G (a A print as e E).
 * Floating point is converted with double arithmetic plus an exact rounding-error check, so
 * results equal glibc's (correctly rounded) whenever the value needs one scaling by at most
 * 10^22 - e.g. %.9g of any float, %g/%e/%f of values from 1e-22 to 1e22 with up to 16
 * significant digits. Beyond that (17 digits, huge or tiny exponents) the last digit may
 * differ by one. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

#undef getc
#undef putc
#undef getchar
#undef putchar
#undef feof
#undef ferror
#undef clearerr

#define TINYMLP_STDIO_FILES 8
#define CONSOLE_BUFFER_SIZE 256

enum {
    STREAM_OPEN = 1u,
    STREAM_READ = 2u,
    STREAM_WRITE = 4u,
    STREAM_EOF = 8u,
    STREAM_ERROR = 16u
};

struct stream {
    int handle; /* semihosting handle, -1 if none */
    unsigned flags;
    int pushback; /* ungetc() character, -1 if none */
    long position;
    char* buffer; /* console output only */
    size_t fill;
    char temporary_name[64]; /* tmpfile(): removed at fclose */
};

static FILE files[TINYMLP_STDIO_FILES];
static struct stream streams[TINYMLP_STDIO_FILES];
static char console_buffers[2][CONSOLE_BUFFER_SIZE];

static struct stream* stream_of(FILE* file) {
    if (file < files || file >= files + TINYMLP_STDIO_FILES) return NULL;
    struct stream* s = &streams[file - files];
    return (s->flags & STREAM_OPEN) ? s : NULL;
}

static int semihost_open(const char* name, int mode) {
    const uint32_t block[3] = {(uint32_t)(uintptr_t)name, (uint32_t)mode, (uint32_t)strlen(name)};
    return tinymlp_semihost(TINYMLP_SYS_OPEN, block);
}

void tinymlp_stdio_init(void) {
    static const int modes[3] = {0 /* "r": stdin */, 4 /* "w": stdout */, 8 /* "a": stderr */};
    for (int i = 0; i < 3; ++i) {
        streams[i].handle = semihost_open(":tt", modes[i]);
        streams[i].flags = STREAM_OPEN | (i == 0 ? STREAM_READ : STREAM_WRITE);
        streams[i].pushback = -1;
        streams[i].position = 0;
        streams[i].buffer = i == 0 ? NULL : console_buffers[i - 1];
        streams[i].fill = 0;
    }
    _REENT->_stdin = &files[0];
    _REENT->_stdout = &files[1];
    _REENT->_stderr = &files[2];
}

/* ---- raw output -------------------------------------------------------------------------- */

static int raw_write(struct stream* s, const char* data, size_t length) {
    if (!length) return 0;
    if (s->handle < 0) { /* no ":tt" handle: SYS_WRITE0 needs NUL-terminated pieces */
        char piece[65];
        while (length) {
            size_t n = length < 64 ? length : 64;
            memcpy(piece, data, n);
            piece[n] = '\0';
            tinymlp_semihost_write0(piece);
            data += n;
            length -= n;
        }
        return 0;
    }
    const uint32_t block[3] = {(uint32_t)s->handle, (uint32_t)(uintptr_t)data, (uint32_t)length};
    if (tinymlp_semihost(TINYMLP_SYS_WRITE, block) != 0) {
        s->flags |= STREAM_ERROR;
        return -1;
    }
    s->position += (long)length;
    return 0;
}

static int stream_flush(struct stream* s) {
    if (!s->buffer || !s->fill) return 0;
    const int result = raw_write(s, s->buffer, s->fill);
    s->fill = 0;
    return result;
}

void tinymlp_stdio_flush_all(void) {
    stream_flush(&streams[1]);
    stream_flush(&streams[2]);
}

static int stream_write(struct stream* s, const char* data, size_t length) {
    if (!(s->flags & STREAM_WRITE)) {
        s->flags |= STREAM_ERROR;
        return -1;
    }
    if (!s->buffer) return raw_write(s, data, length);
    if (s == &streams[2]) stream_flush(&streams[1]); /* keep stdout and stderr in order */
    int result = 0;
    while (length) {
        size_t n = CONSOLE_BUFFER_SIZE - s->fill;
        if (n > length) n = length;
        memcpy(s->buffer + s->fill, data, n);
        s->fill += n;
        data += n;
        length -= n;
        if (s->fill == CONSOLE_BUFFER_SIZE && stream_flush(s)) result = -1;
    }
    if (s == &streams[2] || memchr(s->buffer, '\n', s->fill)) {
        if (stream_flush(s)) result = -1;
    }
    return result;
}

/* ---- formatting -------------------------------------------------------------------------- */

struct sink {
    struct stream* stream; /* NULL: write to buffer */
    char* buffer;
    size_t capacity;
    size_t length; /* characters produced so far */
    char chunk[96];
    size_t chunk_fill;
    int failed;
};

static void sink_flush_chunk(struct sink* out) {
    if (out->chunk_fill && stream_write(out->stream, out->chunk, out->chunk_fill)) out->failed = 1;
    out->chunk_fill = 0;
}

static void emit(struct sink* out, char c) {
    if (out->stream) {
        out->chunk[out->chunk_fill++] = c;
        if (out->chunk_fill == sizeof out->chunk) sink_flush_chunk(out);
    } else if (out->length + 1 < out->capacity) {
        out->buffer[out->length] = c;
    }
    ++out->length;
}

static void emit_repeated(struct sink* out, char c, int count) {
    while (count-- > 0) emit(out, c);
}

static void emit_string(struct sink* out, const char* text, size_t length) {
    while (length--) emit(out, *text++);
}

enum {
    FLAG_MINUS = 1,
    FLAG_PLUS = 2,
    FLAG_SPACE = 4,
    FLAG_HASH = 8,
    FLAG_ZERO = 16
};

struct spec {
    unsigned flags;
    int width;
    int precision; /* -1: not given */
    char conversion;
};

/* Pads a field made of `prefix` (sign, "0x"), `zeros` zeros, then a body produced separately. */
static void emit_field_start(struct sink* out, const struct spec* sp, const char* prefix,
                             int zeros, int body_length) {
    const int prefix_length = (int)strlen(prefix);
    int padding = sp->width - prefix_length - zeros - body_length;
    if (padding < 0) padding = 0;
    if (!(sp->flags & FLAG_MINUS) && !(sp->flags & FLAG_ZERO)) emit_repeated(out, ' ', padding);
    emit_string(out, prefix, (size_t)prefix_length);
    if (!(sp->flags & FLAG_MINUS) && (sp->flags & FLAG_ZERO)) emit_repeated(out, '0', padding);
    emit_repeated(out, '0', zeros);
}

static void emit_field_end(struct sink* out, const struct spec* sp, const char* prefix,
                           int zeros, int body_length) {
    int padding = sp->width - (int)strlen(prefix) - zeros - body_length;
    if ((sp->flags & FLAG_MINUS) && padding > 0) emit_repeated(out, ' ', padding);
}

static void format_integer(struct sink* out, struct spec sp, uint64_t value, int negative) {
    char digits[24];
    int count = 0;
    const char c = sp.conversion;
    const unsigned base = c == 'o' ? 8u : (c == 'x' || c == 'X' || c == 'p') ? 16u : 10u;
    const char* alphabet = sp.conversion == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    for (uint64_t v = value; v; v /= base) digits[count++] = alphabet[v % base];
    int zeros = 0;
    if (sp.precision >= 0) {
        sp.flags &= ~(unsigned)FLAG_ZERO;
        if (sp.precision > count) zeros = sp.precision - count;
    } else if (count == 0) {
        zeros = 1; /* plain 0 */
    }
    if (sp.conversion == 'o' && (sp.flags & FLAG_HASH) && zeros == 0 &&
        (count == 0 || digits[count - 1] != '0'))
        zeros = 1;
    char prefix[4];
    int p = 0;
    if (negative) prefix[p++] = '-';
    else if (sp.flags & FLAG_PLUS) prefix[p++] = '+';
    else if (sp.flags & FLAG_SPACE) prefix[p++] = ' ';
    if ((sp.conversion == 'p') || ((sp.flags & FLAG_HASH) && base == 16u && value != 0)) {
        prefix[p++] = '0';
        prefix[p++] = sp.conversion == 'X' ? 'X' : 'x';
    }
    prefix[p] = '\0';
    if (sp.flags & FLAG_MINUS) sp.flags &= ~(unsigned)FLAG_ZERO;
    emit_field_start(out, &sp, prefix, zeros, count);
    for (int i = count - 1; i >= 0; --i) emit(out, digits[i]);
    emit_field_end(out, &sp, prefix, zeros, count);
}

static const double exact_powers_of_ten[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* value * 10^exponent with as few roundings as possible (one for |exponent| <= 22). */
static double scale_by_power_of_ten(double value, int exponent) {
    while (exponent > 22) {
        value *= 1e22;
        exponent -= 22;
    }
    while (exponent < -22) {
        value /= 1e22;
        exponent += 22;
    }
    return exponent >= 0 ? value * exact_powers_of_ten[exponent]
                         : value / exact_powers_of_ten[-exponent];
}

/* The rounding error of p = fl(a * b): a * b - p, exactly (Dekker's product, or one FMA). */
static double product_error(double a, double b, double p) {
#if defined(__ARM_FEATURE_FMA) && defined(__ARM_FP) && (__ARM_FP & 8)
    return __builtin_fma(a, b, -p);
#else
    const double split = 134217729.0; /* 2^27 + 1 */
    const double ca = split * a, cb = split * b;
    const double a_high = ca - (ca - a), a_low = a - a_high;
    const double b_high = cb - (cb - b), b_low = b - b_high;
    return ((a_high * b_high - p) + a_high * b_low + a_low * b_high) + a_low * b_low;
#endif
}

/* The rounding error of the scaling: value * 10^exponent - scaled, where scaled is
 * scale_by_power_of_ten(value, exponent). Known (returns 1) for |exponent| <= 22 and moderate
 * magnitudes: exact for exponent >= 0, accurate to a few units of 1e-16 relative otherwise. */
static int scaling_error(double value, int exponent, double scaled, double* error) {
    if (exponent > 22 || exponent < -22 || value < 1e-250 || value > 1e250) return 0;
    if (exponent >= 0) {
        *error = product_error(value, exact_powers_of_ten[exponent], scaled);
        return 1;
    }
    /* value / P - scaled = (value - scaled * P) / P, with scaled * P = p + e exactly. */
    const double power = exact_powers_of_ten[-exponent];
    const double p = scaled * power;
    const double e = product_error(scaled, power, p);
    *error = ((value - p) - e) / power; /* value - p is exact: p is close to value */
    return 1;
}

/* value * 10^exponent rounded to the nearest integer (ties to even), as glibc rounds the
 * exact binary value; `scaled` is the double nearest to that product. Must fit in 64 bits. */
static uint64_t round_scaled(double value, int exponent, double scaled) {
    uint64_t integer = (uint64_t)scaled;
    double error;
    if (scaled < 4503599627370496.0) { /* 2^52: the fraction is exact */
        const double fraction = scaled - (double)integer;
        if (fraction > 0.5) return integer + 1;
        if (fraction < 0.5) return integer;
        /* Looks like a tie: the rounding error of the scaling decides. */
        if (!scaling_error(value, exponent, scaled, &error) || error == 0.0)
            return integer + (integer & 1u);
        return error > 0.0 ? integer + 1 : integer;
    }
    /* scaled is a whole number, but the scaling may have rounded it by more than 0.5. */
    if (!scaling_error(value, exponent, scaled, &error)) return integer;
    const int64_t whole = (int64_t)error;
    const double rest = error - (double)whole;
    integer += (uint64_t)whole;
    if (rest > 0.5 || (rest == 0.5 && (integer & 1u))) ++integer;
    else if (rest < -0.5 || (rest == -0.5 && (integer & 1u))) --integer;
    return integer;
}

/* The first `count` (1..17) significant decimal digits of `value` (> 0, finite), rounded to
 * nearest, into digits[]; returns the decimal exponent of the first digit. */
static int decimal_digits(double value, int count, char* digits) {
    union {
        double d;
        uint64_t u;
    } bits = {value};
    int binary_exponent = (int)((bits.u >> 52) & 0x7FF) - 1023;
    if (binary_exponent == -1023) { /* subnormal: normalise a copy to read its exponent */
        bits.d = value * 18446744073709551616.0; /* 2^64 */
        binary_exponent = (int)((bits.u >> 52) & 0x7FF) - 1023 - 64;
    }
    /* log10(2) ~ 0.30103 = 78913 / 2^18; may be one too small, fixed below. */
    int exponent = (binary_exponent * 78913) >> 18;
    uint64_t low = 1;
    for (int i = 1; i < count; ++i) low *= 10u;
    const uint64_t high = low * 10u;
    uint64_t mantissa = 0;
    for (int attempt = 0; attempt < 4; ++attempt) {
        const int scale = count - 1 - exponent;
        const double scaled = scale_by_power_of_ten(value, scale);
        if (scaled >= (double)high) {
            ++exponent;
            continue;
        }
        if (scaled < (double)low && attempt < 3) {
            --exponent;
            continue;
        }
        mantissa = round_scaled(value, scale, scaled);
        break;
    }
    if (mantissa >= high) { /* rounded up to the next power of ten */
        mantissa /= 10u;
        ++exponent;
    }
    if (mantissa < low) mantissa = low;
    for (int i = count - 1; i >= 0; --i) {
        digits[i] = (char)('0' + mantissa % 10u);
        mantissa /= 10u;
    }
    return exponent;
}

struct decimal {
    char digits[17];
    int count;    /* significant digits held; the ones after them are zeros */
    int exponent; /* decimal exponent of digits[0] */
};

static char digit_at(const struct decimal* d, int power) { /* digit of 10^power */
    const int index = d->exponent - power;
    return (index >= 0 && index < d->count) ? d->digits[index] : '0';
}

static void format_float(struct sink* out, struct spec sp, double value) {
    const int upper = sp.conversion == 'E' || sp.conversion == 'F' || sp.conversion == 'G';
    char conversion = sp.conversion | 0x20; /* lower case */
    if (conversion == 'a') conversion = 'e';
    union {
        double d;
        uint64_t u;
    } bits = {value};
    const int negative = (int)(bits.u >> 63);
    if (negative) value = -value;
    char prefix[2] = {0, 0};
    if (negative) prefix[0] = '-';
    else if (sp.flags & FLAG_PLUS) prefix[0] = '+';
    else if (sp.flags & FLAG_SPACE) prefix[0] = ' ';
    if (sp.flags & FLAG_MINUS) sp.flags &= ~(unsigned)FLAG_ZERO;

    if (value != value || value > 1.7976931348623157e308) {
        const char* text = value != value ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
        sp.flags &= ~(unsigned)FLAG_ZERO;
        emit_field_start(out, &sp, prefix, 0, 3);
        emit_string(out, text, 3);
        emit_field_end(out, &sp, prefix, 0, 3);
        return;
    }

    int precision = sp.precision < 0 ? 6 : sp.precision;
    struct decimal d;
    d.count = 1;
    d.exponent = 0;
    d.digits[0] = '0';
    int exponential; /* 1: d.ddde+XX, 0: ddd.ddd */
    int fraction_digits;
    if (conversion == 'g') {
        if (precision == 0) precision = 1;
        if (value != 0.0) {
            d.count = precision < 17 ? precision : 17;
            d.exponent = decimal_digits(value, d.count, d.digits);
        }
        exponential = d.exponent < -4 || d.exponent >= precision;
        fraction_digits = exponential ? precision - 1 : precision - 1 - d.exponent;
        if (!(sp.flags & FLAG_HASH)) { /* %g drops trailing zeros */
            if (exponential)
                while (fraction_digits > 0 && digit_at(&d, d.exponent - fraction_digits) == '0')
                    --fraction_digits;
            else
                while (fraction_digits > 0 && digit_at(&d, -fraction_digits) == '0')
                    --fraction_digits;
        }
    } else if (conversion == 'e') {
        exponential = 1;
        fraction_digits = precision;
        if (value != 0.0) {
            d.count = precision + 1 < 17 ? precision + 1 : 17;
            d.exponent = decimal_digits(value, d.count, d.digits);
        }
    } else { /* f */
        exponential = 0;
        fraction_digits = precision;
        if (value != 0.0) {
            char probe[17];
            const int magnitude = decimal_digits(value, 17, probe);
            const int wanted = magnitude + 1 + precision; /* significant digits needed */
            if (wanted >= 1) {
                d.count = wanted < 17 ? wanted : 17;
                d.exponent = decimal_digits(value, d.count, d.digits);
            } else if (wanted == 0 &&
                       round_scaled(value, precision, scale_by_power_of_ten(value, precision))) {
                d.digits[0] = '1'; /* rounds up to one unit in the last place */
                d.exponent = -precision;
            }
        }
    }

    const int point = fraction_digits > 0 || (sp.flags & FLAG_HASH);
    int length;
    int exponent_value = d.exponent < 0 ? -d.exponent : d.exponent;
    int exponent_length = exponent_value >= 100 ? 3 : 2;
    if (exponential) {
        length = 1 + point + fraction_digits + 2 + exponent_length;
    } else {
        length = (d.exponent >= 0 ? d.exponent + 1 : 1) + point + fraction_digits;
    }
    emit_field_start(out, &sp, prefix, 0, length);
    if (exponential) {
        emit(out, d.digits[0]);
        if (point) emit(out, '.');
        for (int i = 1; i <= fraction_digits; ++i) emit(out, digit_at(&d, d.exponent - i));
        emit(out, upper ? 'E' : 'e');
        emit(out, d.exponent < 0 ? '-' : '+');
        if (exponent_length == 3) emit(out, (char)('0' + exponent_value / 100));
        emit(out, (char)('0' + exponent_value / 10 % 10));
        emit(out, (char)('0' + exponent_value % 10));
    } else {
        if (d.exponent < 0) emit(out, '0');
        for (int power = d.exponent; power >= 0; --power) emit(out, digit_at(&d, power));
        if (point) emit(out, '.');
        for (int i = 1; i <= fraction_digits; ++i) emit(out, digit_at(&d, -i));
    }
    emit_field_end(out, &sp, prefix, 0, length);
}

static int format(struct sink* out, const char* fmt, va_list args) {
    while (*fmt) {
        if (*fmt != '%') {
            emit(out, *fmt++);
            continue;
        }
        const char* start = fmt++;
        struct spec sp = {0, 0, -1, 0};
        for (;; ++fmt) {
            if (*fmt == '-') sp.flags |= FLAG_MINUS;
            else if (*fmt == '+') sp.flags |= FLAG_PLUS;
            else if (*fmt == ' ') sp.flags |= FLAG_SPACE;
            else if (*fmt == '#') sp.flags |= FLAG_HASH;
            else if (*fmt == '0') sp.flags |= FLAG_ZERO;
            else break;
        }
        if (*fmt == '*') {
            sp.width = va_arg(args, int);
            if (sp.width < 0) {
                sp.flags |= FLAG_MINUS;
                sp.width = -sp.width;
            }
            ++fmt;
        } else {
            while (*fmt >= '0' && *fmt <= '9') sp.width = sp.width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            ++fmt;
            sp.precision = 0;
            if (*fmt == '*') {
                sp.precision = va_arg(args, int);
                if (sp.precision < 0) sp.precision = -1;
                ++fmt;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    sp.precision = sp.precision * 10 + (*fmt++ - '0');
            }
        }
        int size = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 size_t/ptrdiff_t */
        if (*fmt == 'h') {
            size = -1;
            if (*++fmt == 'h') {
                size = -2;
                ++fmt;
            }
        } else if (*fmt == 'l') {
            size = 1;
            if (*++fmt == 'l') {
                size = 2;
                ++fmt;
            }
        } else if (*fmt == 'j') {
            size = 2;
            ++fmt;
        } else if (*fmt == 'z' || *fmt == 't') {
            size = 3;
            ++fmt;
        } else if (*fmt == 'L') {
            ++fmt;
        }
        sp.conversion = *fmt;
        if (!*fmt) break;
        ++fmt;
        switch (sp.conversion) {
        case 'd':
        case 'i': {
            long long v;
            if (size == 2) v = va_arg(args, long long);
            else if (size == 1) v = va_arg(args, long);
            else if (size == 3) v = (long long)va_arg(args, ptrdiff_t);
            else v = va_arg(args, int);
            if (size == -1) v = (short)v;
            if (size == -2) v = (signed char)v;
            const uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            format_integer(out, sp, magnitude, v < 0);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            unsigned long long v;
            if (size == 2) v = va_arg(args, unsigned long long);
            else if (size == 1) v = va_arg(args, unsigned long);
            else if (size == 3) v = va_arg(args, size_t);
            else v = va_arg(args, unsigned);
            if (size == -1) v = (unsigned short)v;
            if (size == -2) v = (unsigned char)v;
            sp.flags &= ~(unsigned)(FLAG_PLUS | FLAG_SPACE);
            format_integer(out, sp, v, 0);
            break;
        }
        case 'p':
            sp.flags &= ~(unsigned)(FLAG_PLUS | FLAG_SPACE);
            format_integer(out, sp, (uintptr_t)va_arg(args, void*), 0);
            break;
        case 'c': {
            const char c = (char)va_arg(args, int);
            emit_field_start(out, &sp, "", 0, 1);
            emit(out, c);
            emit_field_end(out, &sp, "", 0, 1);
            break;
        }
        case 's': {
            const char* text = va_arg(args, const char*);
            if (!text) text = "(null)";
            size_t length = 0;
            while (text[length] && (sp.precision < 0 || length < (size_t)sp.precision)) ++length;
            sp.flags &= ~(unsigned)FLAG_ZERO;
            emit_field_start(out, &sp, "", 0, (int)length);
            emit_string(out, text, length);
            emit_field_end(out, &sp, "", 0, (int)length);
            break;
        }
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
        case 'a':
        case 'A':
            format_float(out, sp, va_arg(args, double));
            break;
        case 'n': {
            int* count = va_arg(args, int*);
            if (count) *count = (int)out->length;
            break;
        }
        case '%':
            emit(out, '%');
            break;
        default: /* unknown: print it as written */
            emit_string(out, start, (size_t)(fmt - start));
            break;
        }
    }
    if (out->stream) sink_flush_chunk(out);
    else if (out->capacity)
        out->buffer[out->length < out->capacity ? out->length : out->capacity - 1] = '\0';
    return out->failed ? -1 : (int)out->length;
}

int vsnprintf(char* buffer, size_t capacity, const char* fmt, va_list args) {
    struct sink out;
    out.stream = NULL;
    out.buffer = buffer;
    out.capacity = capacity;
    out.length = 0;
    out.chunk_fill = 0;
    out.failed = 0;
    return format(&out, fmt, args);
}

int snprintf(char* buffer, size_t capacity, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    const int n = vsnprintf(buffer, capacity, fmt, args);
    va_end(args);
    return n;
}

int vsprintf(char* buffer, const char* fmt, va_list args) {
    return vsnprintf(buffer, (size_t)INT32_MAX, fmt, args);
}

int sprintf(char* buffer, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    const int n = vsprintf(buffer, fmt, args);
    va_end(args);
    return n;
}

int vfprintf(FILE* file, const char* fmt, va_list args) {
    struct stream* s = stream_of(file);
    if (!s) return -1;
    struct sink out;
    out.stream = s;
    out.buffer = NULL;
    out.capacity = 0;
    out.length = 0;
    out.chunk_fill = 0;
    out.failed = 0;
    return format(&out, fmt, args);
}

int fprintf(FILE* file, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    const int n = vfprintf(file, fmt, args);
    va_end(args);
    return n;
}

int vprintf(const char* fmt, va_list args) { return vfprintf(&files[1], fmt, args); }

int printf(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    const int n = vfprintf(&files[1], fmt, args);
    va_end(args);
    return n;
}

/* ---- character and block output ---------------------------------------------------------- */

int fputc(int c, FILE* file) {
    struct stream* s = stream_of(file);
    const char ch = (char)c;
    if (!s || stream_write(s, &ch, 1)) return EOF;
    return (unsigned char)ch;
}

int putc(int c, FILE* file) { return fputc(c, file); }

int putchar(int c) { return fputc(c, &files[1]); }

int fputs(const char* text, FILE* file) {
    struct stream* s = stream_of(file);
    if (!s || stream_write(s, text, strlen(text))) return EOF;
    return 0;
}

int puts(const char* text) {
    struct stream* s = &streams[1];
    if (stream_write(s, text, strlen(text)) || stream_write(s, "\n", 1)) return EOF;
    return 0;
}

size_t fwrite(const void* data, size_t size, size_t count, FILE* file) {
    struct stream* s = stream_of(file);
    if (!s || !size || !count) return 0;
    return stream_write(s, (const char*)data, size * count) ? 0 : count;
}

int fflush(FILE* file) {
    if (!file) {
        tinymlp_stdio_flush_all();
        return 0;
    }
    struct stream* s = stream_of(file);
    if (!s) return EOF;
    return stream_flush(s) ? EOF : 0;
}

int setvbuf(FILE* file, char* buffer, int mode, size_t size) {
    (void)buffer;
    (void)mode;
    (void)size;
    return stream_of(file) ? 0 : EOF; /* buffering stays as described above */
}

void setbuf(FILE* file, char* buffer) {
    (void)setvbuf(file, buffer, buffer ? _IOFBF : _IONBF, BUFSIZ);
}

/* ---- files ------------------------------------------------------------------------------- */

FILE* fopen(const char* name, const char* mode) {
    int semihosting_mode;
    unsigned flags;
    switch (mode[0]) {
    case 'r':
        semihosting_mode = 0;
        flags = STREAM_READ;
        break;
    case 'w':
        semihosting_mode = 4;
        flags = STREAM_WRITE;
        break;
    case 'a':
        semihosting_mode = 8;
        flags = STREAM_WRITE;
        break;
    default:
        return NULL;
    }
    for (const char* m = mode + 1; *m; ++m) {
        if (*m == 'b') semihosting_mode |= 1;
        if (*m == '+') {
            semihosting_mode |= 2;
            flags = STREAM_READ | STREAM_WRITE;
        }
    }
    for (int i = 3; i < TINYMLP_STDIO_FILES; ++i) {
        struct stream* s = &streams[i];
        if (s->flags & STREAM_OPEN) continue;
        const int handle = semihost_open(name, semihosting_mode);
        if (handle < 0) return NULL;
        s->handle = handle;
        s->flags = STREAM_OPEN | flags;
        s->pushback = -1;
        s->position = 0;
        s->buffer = NULL;
        s->fill = 0;
        s->temporary_name[0] = '\0';
        if (mode[0] == 'a') {
            const uint32_t block[1] = {(uint32_t)handle};
            const int length = tinymlp_semihost(TINYMLP_SYS_FLEN, block);
            if (length > 0) s->position = length;
        }
        return &files[i];
    }
    return NULL; /* no free stream */
}

int fclose(FILE* file) {
    struct stream* s = stream_of(file);
    if (!s) return EOF;
    int result = stream_flush(s) ? EOF : 0;
    if (file >= files + 3) {
        const uint32_t block[1] = {(uint32_t)s->handle};
        if (tinymlp_semihost(TINYMLP_SYS_CLOSE, block) != 0) result = EOF;
        if (s->temporary_name[0]) (void)remove(s->temporary_name);
        s->flags = 0;
        s->handle = -1;
    }
    return result;
}

FILE* tmpfile(void) {
    static unsigned counter;
    char name[64];
    for (int attempt = 0; attempt < 16; ++attempt) {
        const uint32_t block[3] = {(uint32_t)(uintptr_t)name, (counter++) & 0xFFu,
                                   (uint32_t)sizeof name};
        if (tinymlp_semihost(TINYMLP_SYS_TMPNAM, block) != 0) return NULL;
        name[sizeof name - 1] = '\0';
        FILE* probe = fopen(name, "rb"); /* in use by someone else? */
        if (probe) {
            fclose(probe);
            continue;
        }
        FILE* file = fopen(name, "w+b");
        if (file) memcpy(streams[file - files].temporary_name, name, sizeof name);
        return file;
    }
    return NULL;
}

size_t fread(void* data, size_t size, size_t count, FILE* file) {
    struct stream* s = stream_of(file);
    if (!s || !size || !count) return 0;
    if (!(s->flags & STREAM_READ)) {
        s->flags |= STREAM_ERROR;
        return 0;
    }
    size_t wanted = size * count;
    char* bytes = (char*)data;
    size_t got = 0;
    if (s->pushback >= 0) {
        bytes[got++] = (char)s->pushback;
        s->pushback = -1;
    }
    if (got < wanted) {
        const uint32_t block[3] = {(uint32_t)s->handle, (uint32_t)(uintptr_t)(bytes + got),
                                   (uint32_t)(wanted - got)};
        const int not_read = tinymlp_semihost(TINYMLP_SYS_READ, block);
        if (not_read < 0 || (size_t)not_read > wanted - got) {
            s->flags |= STREAM_ERROR;
        } else {
            const size_t n = (wanted - got) - (size_t)not_read;
            s->position += (long)n;
            got += n;
        }
    }
    if (got < wanted) s->flags |= STREAM_EOF;
    return got / size;
}

int fgetc(FILE* file) {
    unsigned char c;
    return fread(&c, 1, 1, file) == 1 ? c : EOF;
}

int getc(FILE* file) { return fgetc(file); }

int getchar(void) { return fgetc(&files[0]); }

int ungetc(int c, FILE* file) {
    struct stream* s = stream_of(file);
    if (!s || c == EOF || s->pushback >= 0) return EOF;
    s->pushback = (unsigned char)c;
    s->flags &= ~(unsigned)STREAM_EOF;
    return (unsigned char)c;
}

char* fgets(char* buffer, int capacity, FILE* file) {
    if (capacity <= 0) return NULL;
    int n = 0;
    while (n < capacity - 1) {
        const int c = fgetc(file);
        if (c == EOF) break;
        buffer[n++] = (char)c;
        if (c == '\n') break;
    }
    buffer[n] = '\0';
    return n ? buffer : NULL;
}

long ftell(FILE* file) {
    struct stream* s = stream_of(file);
    if (!s) return -1;
    return s->position - (s->pushback >= 0 ? 1 : 0);
}

int fseek(FILE* file, long offset, int whence) {
    struct stream* s = stream_of(file);
    if (!s || file < files + 3) return -1;
    long target;
    if (whence == SEEK_SET) {
        target = offset;
    } else if (whence == SEEK_CUR) {
        target = ftell(file) + offset;
    } else if (whence == SEEK_END) {
        const uint32_t block[1] = {(uint32_t)s->handle};
        const int length = tinymlp_semihost(TINYMLP_SYS_FLEN, block);
        if (length < 0) return -1;
        target = length + offset;
    } else {
        return -1;
    }
    if (target < 0) return -1;
    const uint32_t block[2] = {(uint32_t)s->handle, (uint32_t)target};
    if (tinymlp_semihost(TINYMLP_SYS_SEEK, block) != 0) {
        s->flags |= STREAM_ERROR;
        return -1;
    }
    s->position = target;
    s->pushback = -1;
    s->flags &= ~(unsigned)STREAM_EOF;
    return 0;
}

void rewind(FILE* file) {
    (void)fseek(file, 0, SEEK_SET);
    clearerr(file);
}

int feof(FILE* file) {
    struct stream* s = stream_of(file);
    return s && (s->flags & STREAM_EOF) != 0;
}

int ferror(FILE* file) {
    struct stream* s = stream_of(file);
    return s && (s->flags & STREAM_ERROR) != 0;
}

void clearerr(FILE* file) {
    struct stream* s = stream_of(file);
    if (s) s->flags &= ~(unsigned)(STREAM_EOF | STREAM_ERROR);
}

int remove(const char* name) {
    const uint32_t block[2] = {(uint32_t)(uintptr_t)name, (uint32_t)strlen(name)};
    return tinymlp_semihost(TINYMLP_SYS_REMOVE, block) == 0 ? 0 : -1;
}
