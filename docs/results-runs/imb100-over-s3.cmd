clgan train-classifier --data ../shared/data/mnist10k --model lenet28 --imbalance 3:0.1 --epochs 2 --oversample --seed 3 --out WORK/imb100-over-s3 --json
