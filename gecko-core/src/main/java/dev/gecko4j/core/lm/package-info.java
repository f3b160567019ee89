/** The {@link dev.gecko4j.core.lm.LanguageModel} SPI that FRet mining runs on. */
package dev.gecko4j.core.lm;
