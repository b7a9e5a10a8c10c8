clgan train-detector --data WORK/scenes200-s3 --model det64 --augment --steps 600 --eval-every 25 --gan-augment WORK/det-cgan-s3/checkpoint.ckpt --seed 3 --out WORK/det200-gan-s3 --json
