package model

// slabPoison, when not 0 (tests only: PoisonSlabs), is the bit pattern
// solutionSlab writes into every float it carves, so that a test can
// find any that fill left unwritten.
var slabPoison uint64
