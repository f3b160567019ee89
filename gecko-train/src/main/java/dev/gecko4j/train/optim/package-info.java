/** The optimiser of gecko-train: AdamW and the learning-rate schedule (linear warm-up, decay). */
package dev.gecko4j.train.optim;
