// Stand-in for the Arduino core API on the test boards: what tinymlp's sketches use (Serial,
// delay, millis), printing through the semihosting stdio of ports/cortex-m/runtime. A real
// board's core provides the same names.
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
void delay(unsigned long milliseconds);
unsigned long millis(void);
#ifdef __cplusplus
}

class HardwareSerial {
public:
    void begin(unsigned long baud);
    explicit operator bool() const { return true; }
    size_t print(const char* text);
    size_t print(char c);
    size_t print(int value);
    size_t print(unsigned value);
    size_t print(long value);
    size_t print(unsigned long value);
    size_t print(double value, int digits = 2);
    size_t println();
    template <class T>
    size_t println(const T& value) {
        const size_t n = print(value);
        return n + println();
    }
    size_t println(double value, int digits) {
        const size_t n = print(value, digits);
        return n + println();
    }
};

extern HardwareSerial Serial;

void setup();
void loop();
#endif
