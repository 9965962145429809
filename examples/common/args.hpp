// Command-line options of the examples: declare them, parse argv, read typed values.
//   examples::Args args("xor", "A linear model vs a 2-2-1 MLP on the four XOR points.");
//   args.flag("--short", "quick run for ctest");
//   args.option("--csv", "FILE", "xor.csv", "per-step log");
//   args.parse(argc, argv);            // --help prints the usage and exits 0; a bad option exits 2
//   if (args.has("--short")) ...;  int n = args.integer("--epochs");
// Options are spelled "--name VALUE" or "--name=VALUE". Host-only (std::string, std::vector).
#pragma once
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace examples {

class Args {
public:
    Args(std::string program, std::string description)
        : program_(std::move(program)), description_(std::move(description)) {
        flag("--help", "print this help and exit");
    }

    // A switch without a value.
    void flag(const std::string& name, const std::string& help) { options_.push_back({name, "", "", help, false, false}); }
    // An option with a value; `fallback` is used when it is not given (may be empty).
    void option(const std::string& name, const std::string& metavar, const std::string& fallback,
                const std::string& help) {
        options_.push_back({name, metavar, fallback, help, true, false});
    }

    void parse(int argc, char** argv) {
        for (int i = 1; i < argc; ++i) {
            std::string word = argv[i];
            std::string value;
            bool inline_value = false;
            if (const auto eq = word.find('='); word.rfind("--", 0) == 0 && eq != std::string::npos) {
                value = word.substr(eq + 1);
                word = word.substr(0, eq);
                inline_value = true;
            }
            Option* o = find(word);
            if (!o) fail("unknown option '" + word + "'");
            if (o->takes_value) {
                if (!inline_value) {
                    if (i + 1 >= argc) fail("option " + word + " needs a value (" + o->metavar + ")");
                    value = argv[++i];
                }
                o->value = value;
            } else if (inline_value) {
                fail("option " + word + " takes no value");
            }
            o->given = true;
        }
        if (has("--help")) {
            usage(stdout);
            std::exit(0);
        }
    }

    bool has(const std::string& name) const { return get(name).given; }
    const std::string& text(const std::string& name) const { return get(name).value; }

    long integer(const std::string& name) const {
        const std::string& s = text(name);
        char* end = nullptr;
        errno = 0;
        const long v = std::strtol(s.c_str(), &end, 10);
        if (s.empty() || *end != '\0' || errno) fail(name + " needs an integer, got '" + s + "'");
        return v;
    }
    double number(const std::string& name) const {
        const std::string& s = text(name);
        char* end = nullptr;
        errno = 0;
        const double v = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0' || errno) fail(name + " needs a number, got '" + s + "'");
        return v;
    }
    // "256,128" -> {256, 128}; an empty value gives an empty list.
    std::vector<double> numbers(const std::string& name) const {
        std::vector<double> out;
        const std::string& s = text(name);
        std::size_t start = 0;
        while (start < s.size()) {
            std::size_t comma = s.find(',', start);
            if (comma == std::string::npos) comma = s.size();
            const std::string piece = s.substr(start, comma - start);
            char* end = nullptr;
            const double v = std::strtod(piece.c_str(), &end);
            if (piece.empty() || *end != '\0') fail(name + " needs comma-separated numbers, got '" + s + "'");
            out.push_back(v);
            start = comma + 1;
        }
        return out;
    }

    // Prints "program: message", the usage, and exits with status 2 (a usage error).
    [[noreturn]] void fail(const std::string& message) const {
        std::fprintf(stderr, "%s: %s\n", program_.c_str(), message.c_str());
        usage(stderr);
        std::exit(2);
    }

    void usage(std::FILE* out) const {
        std::fprintf(out, "usage: %s [options]\n%s\n\noptions:\n", program_.c_str(), description_.c_str());
        for (const Option& o : options_) {
            std::string left = o.name + (o.takes_value ? " " + o.metavar : "");
            std::fprintf(out, "  %-22s %s", left.c_str(), o.help.c_str());
            if (o.takes_value && !o.fallback.empty()) std::fprintf(out, " (default: %s)", o.fallback.c_str());
            std::fprintf(out, "\n");
        }
    }

private:
    struct Option {
        std::string name, metavar, fallback, help;
        bool takes_value = false, given = false;
        std::string value;
        Option(std::string n, std::string m, std::string f, std::string h, bool t, bool g)
            : name(std::move(n)), metavar(std::move(m)), fallback(std::move(f)), help(std::move(h)),
              takes_value(t), given(g), value(fallback) {}
    };

    Option* find(const std::string& name) {
        for (Option& o : options_)
            if (o.name == name) return &o;
        return nullptr;
    }
    const Option& get(const std::string& name) const {
        for (const Option& o : options_)
            if (o.name == name) return o;
        std::fprintf(stderr, "%s: internal error: option %s was never declared\n", program_.c_str(), name.c_str());
        std::exit(2);
    }

    std::string program_, description_;
    std::vector<Option> options_;
};

}  // namespace examples
