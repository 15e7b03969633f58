package scenarios

func schema() ([]byte, error) { return nil, errNotImplemented }
