clgan train-classifier --data ../shared/data/mnist10k --model lenet28 --imbalance 3:0.025 --epochs 2 --oversample --seed 3 --out WORK/imb-over-s3 --json
