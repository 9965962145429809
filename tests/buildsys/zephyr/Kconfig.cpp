# The C++ options of Zephyr's Kconfig tree that zephyr/Kconfig refers to (names as Zephyr spells
# them: CONFIG_CPP, the STD_CPP choice), for ctest zephyr_module_kconfig.
config CPP
	bool "C++ support"

choice STD_CPP
	prompt "C++ standard"
	depends on CPP
	default STD_CPP11

config STD_CPP98
	bool "C++ 98"
config STD_CPP11
	bool "C++ 11"
config STD_CPP14
	bool "C++ 14"
config STD_CPP17
	bool "C++ 17"
config STD_CPP2A
	bool "C++ 2a"
config STD_CPP20
	bool "C++ 20"
config STD_CPP2B
	bool "C++ 2b"

endchoice

source "$(TINYMLP_ZEPHYR_DIR)/Kconfig"
