clgan train-detector --data WORK/scenes200-s1 --model det64 --augment --steps 600 --eval-every 25 --copy-paste --seed 1 --out WORK/det200-copy-s1 --json
