module pionrtpbench

go 1.19
