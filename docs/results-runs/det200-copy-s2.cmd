clgan train-detector --data WORK/scenes200-s2 --model det64 --augment --steps 600 --eval-every 25 --copy-paste --seed 2 --out WORK/det200-copy-s2 --json
