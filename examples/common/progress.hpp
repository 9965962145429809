// Progress of a long loop. On a terminal (stdout is a tty) one line redrawn in place:
//   epoch 3/10 [##########..........] 117/234  loss 0.4312  48213 samples/s  ETA 0:02
// and erased by finish(), so the caller's summary line takes its place. Not on a terminal (a
// pipe, a log file, ctest) no bar: a plain line every `plain_interval` seconds, none for a loop
// that ends sooner, so logs stay short and diffable.
//   examples::Progress bar("epoch 3/10", steps, batch_size);
//   for (step...) { ...; bar.update(step + 1, loss); }
//   bar.finish();
#pragma once
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

#include <unistd.h>

namespace examples {

inline bool stdout_is_terminal() { return isatty(fileno(stdout)) != 0; }

class Stopwatch {
public:
    Stopwatch() : start_(std::chrono::steady_clock::now()) {}
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }
    void restart() { start_ = std::chrono::steady_clock::now(); }

private:
    std::chrono::steady_clock::time_point start_;
};

class Progress {
public:
    Progress(std::string label, std::size_t total_steps, std::size_t samples_per_step,
             double plain_interval = 10.0)
        : label_(std::move(label)), total_(total_steps), samples_per_step_(samples_per_step),
          plain_interval_(plain_interval), terminal_(stdout_is_terminal()) {}
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;
    ~Progress() { finish(); }

    // `done` steps of total_steps are complete; `loss` is the latest (or running) loss.
    void update(std::size_t done, double loss) {
        const double now = clock_.seconds();
        const bool last = done >= total_;
        if (terminal_) {
            if (!last && now - last_draw_ < 0.1) return;
            last_draw_ = now;
            draw(done, loss, now);
        } else if (now - last_draw_ >= plain_interval_ && !last) {
            last_draw_ = now;
            std::printf("  %s step %zu/%zu, loss %.4f, %.0f samples/s, ETA %s\n", label_.c_str(), done, total_,
                        loss, rate(done, now), eta(done, now).c_str());
            std::fflush(stdout);
        }
    }

    // Erases the bar (terminal only); safe to call twice.
    void finish() {
        if (terminal_ && drawn_) {
            std::printf("\r\033[K");
            std::fflush(stdout);
        }
        drawn_ = false;
    }

    double seconds() const { return clock_.seconds(); }

private:
    double rate(std::size_t done, double now) const {
        return now > 0 ? static_cast<double>(done * samples_per_step_) / now : 0.0;
    }
    std::string eta(std::size_t done, double now) const {
        if (done == 0) return "?";
        const double left = now / static_cast<double>(done) * static_cast<double>(total_ - (done < total_ ? done : total_));
        const long s = static_cast<long>(left + 0.5);
        char text[32];
        if (s >= 3600) std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
        else std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
        return text;
    }
    void draw(std::size_t done, double loss, double now) {
        constexpr int width = 20;
        const int filled = total_ ? static_cast<int>(width * (done < total_ ? done : total_) / total_) : width;
        char bar[width + 1];
        for (int i = 0; i < width; ++i) bar[i] = i < filled ? '#' : '.';
        bar[width] = '\0';
        std::printf("\r\033[K%s [%s] %zu/%zu  loss %.4f  %.0f samples/s  ETA %s", label_.c_str(), bar, done, total_,
                    loss, rate(done, now), eta(done, now).c_str());
        std::fflush(stdout);
        drawn_ = true;
    }

    std::string label_;
    std::size_t total_, samples_per_step_;
    double plain_interval_;
    bool terminal_;
    bool drawn_ = false;
    double last_draw_ = 0;
    Stopwatch clock_;
};

}  // namespace examples
