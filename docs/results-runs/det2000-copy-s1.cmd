clgan train-detector --data WORK/scenes2000-s1 --model det64 --augment --steps 1860 --eval-every 10 --copy-paste --seed 1 --out WORK/det2000-copy-s1 --json
