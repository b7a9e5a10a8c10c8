clgan train-classifier --data ../shared/data/mnist10k --model lenet28 --epochs 5 --augment --lr-decay 0.3 --lr-decay-epochs 2 --seed 1 --out WORK/full-s1 --json
