module netpoll.io/benchmarks/peers/go

go 1.19
