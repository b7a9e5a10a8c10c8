clgan train-detector --data WORK/scenes2000-s1 --model det64 --augment --steps 1860 --eval-every 10 --gan-augment WORK/det-cgan-s1/checkpoint.ckpt --seed 1 --out WORK/det2000-gan-s1 --json
