clgan train-detector --data WORK/scenes200-s1 --model det64 --augment --steps 600 --eval-every 25 --seed 1 --out WORK/det200-real-s1 --json
