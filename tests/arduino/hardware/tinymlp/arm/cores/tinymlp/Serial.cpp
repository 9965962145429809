// Serial on the test boards: the firmware's stdout (semihosting), Arduino's number formats.
#include <stdio.h>

#include "Arduino.h"

HardwareSerial Serial;

void HardwareSerial::begin(unsigned long) {}
size_t HardwareSerial::print(const char* text) { return static_cast<size_t>(printf("%s", text)); }
size_t HardwareSerial::print(char c) { return static_cast<size_t>(printf("%c", c)); }
size_t HardwareSerial::print(int value) { return static_cast<size_t>(printf("%d", value)); }
size_t HardwareSerial::print(unsigned value) { return static_cast<size_t>(printf("%u", value)); }
size_t HardwareSerial::print(long value) { return static_cast<size_t>(printf("%ld", value)); }
size_t HardwareSerial::print(unsigned long value) { return static_cast<size_t>(printf("%lu", value)); }
// Arduino's Print::print(double, digits): fixed point with `digits` decimals.
size_t HardwareSerial::print(double value, int digits) { return static_cast<size_t>(printf("%.*f", digits, value)); }
size_t HardwareSerial::println() { return static_cast<size_t>(printf("\r\n")); }

static unsigned long elapsed_ms;
extern "C" void delay(unsigned long milliseconds) { elapsed_ms += milliseconds; }
extern "C" unsigned long millis(void) { return elapsed_ms; }
