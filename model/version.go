package model

// Version is the model's version, printed by `potash version` and in every
// chart footer and output file so results can be traced to the code.
const Version = "0.6.2"
