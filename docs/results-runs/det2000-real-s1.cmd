clgan train-detector --data WORK/scenes2000-s1 --model det64 --augment --steps 1860 --eval-every 10 --seed 1 --out WORK/det2000-real-s1 --json
